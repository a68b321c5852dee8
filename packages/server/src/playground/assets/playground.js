// The playground page: posts a prompt to the agent's SSE route and renders every event as it arrives.
// Plain browser JavaScript with no dependencies, served by @agent/server itself (no CDN, no build step).
// Model and tool output is always inserted as text (textContent / Text nodes), never as HTML.

const body = document.body
const streamUrl = body.dataset.streamUrl || '/stream/events'
const transcript = document.getElementById('transcript')
const emptyState = document.getElementById('empty-state')
const form = document.getElementById('prompt-form')
const promptInput = document.getElementById('prompt')
const sendButton = document.getElementById('send')
const stopButton = document.getElementById('stop')
// With a resume route, the page is one session: its runs can wait for a person and be resumed.
const resumeUrl = body.dataset.resumeUrl || ''
const sessionId = resumeUrl === '' ? undefined : crypto.randomUUID()

/** The run in flight: its AbortController and its turn view. */
let activeRun
/** The turn whose approval cards wait for answers, if any. */
let waitingTurn

// Follow the stream while the reader is at the bottom; stop following when they scroll up.
let followOutput = true
let scrollScheduled = false
window.addEventListener('scroll', () => {
  followOutput = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 48
})
function scrollToEnd() {
  if (!followOutput || scrollScheduled) return
  scrollScheduled = true
  // At most one layout per frame, however many tokens arrive.
  requestAnimationFrame(() => {
    scrollScheduled = false
    window.scrollTo(0, document.documentElement.scrollHeight)
  })
}

/** Creates an element with a class and optional text. */
function element(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function formatJson(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2)
    } catch {
      return value
    }
  }
  return JSON.stringify(value, null, 2)
}

function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–'
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}

/**
 * Parses `text/event-stream` text as it arrives (the WHATWG rules: lines end in CRLF, LF or CR; a blank line
 * ends a message; `:` starts a comment, such as the server's pings).
 */
class EventStreamParser {
  /** `connection` keeps the last event id and the retry delay across reconnects. */
  constructor(connection, onMessage) {
    this.connection = connection
    this.onMessage = onMessage
    this.buffer = ''
    this.reset()
  }

  reset() {
    this.eventType = ''
    this.dataLines = []
  }

  push(text) {
    this.buffer += text
    const lineEnd = /\r\n|\r|\n/g
    let start = 0
    let match = lineEnd.exec(this.buffer)
    while (match !== null) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break
      this.line(this.buffer.slice(start, match.index))
      start = match.index + match[0].length
      match = lineEnd.exec(this.buffer)
    }
    this.buffer = this.buffer.slice(start)
  }

  line(line) {
    if (line === '') {
      if (this.dataLines.length > 0) {
        this.onMessage({ event: this.eventType || 'message', data: this.dataLines.join('\n') })
        // Only a message that arrived whole moves the resume point.
        this.connection.lastEventId = this.pendingId ?? this.connection.lastEventId
      }
      this.pendingId = undefined
      this.reset()
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.dataLines.push(value)
    else if (field === 'event') this.eventType = value
    else if (field === 'id' && !value.includes('\0')) this.pendingId = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.connection.retryMs = Number(value)
  }
}

/** The view of one prompt and everything its run streams back. */
class TurnView {
  constructor(prompt) {
    this.startedAt = performance.now()
    this.root = element('article', 'turn')
    this.root.setAttribute('aria-busy', 'true')
    this.root.append(element('div', 'user-prompt', prompt))

    const assistant = element('section', 'assistant')
    this.output = element('div', 'output')
    const timelineBox = element('details', 'timeline')
    timelineBox.open = true
    timelineBox.append(element('summary', '', 'Timeline'))
    this.timeline = element('ol', 'timeline-entries')
    timelineBox.append(this.timeline)
    this.status = element('p', 'status', 'Sending…')
    this.status.setAttribute('role', 'status')
    this.metrics = element('dl', 'metrics')
    assistant.append(this.output, this.status, this.metrics, timelineBox)
    this.root.append(assistant)

    this.text = undefined
    this.reasoning = undefined
    this.toolCards = new Map()
    this.approvalCards = new Map()
    this.usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
    this.cycles = 0
    this.usageReported = false
    this.firstEventAt = undefined
    this.firstTokenAt = undefined
    this.finished = false
    this.addTimeline('request sent')
  }

  addTimeline(label, kind = 'info') {
    const entry = element('li', `timeline-entry ${kind}`)
    entry.dataset.kind = kind
    entry.append(element('span', 'elapsed', `+${formatMs(performance.now() - this.startedAt)}`))
    entry.append(element('span', 'label', label))
    this.timeline.append(entry)
  }

  setStatus(text, kind = 'info') {
    this.status.textContent = text
    this.status.dataset.kind = kind
  }

  /** Ends the open text and reasoning blocks, so that the next delta starts a new one. */
  closeBlocks() {
    this.text = undefined
    if (this.reasoning !== undefined) this.reasoning.box.dataset.done = 'true'
    this.reasoning = undefined
  }

  appendText(text) {
    if (this.firstTokenAt === undefined) this.firstTokenAt = performance.now()
    if (this.text === undefined) {
      const block = element('div', 'answer')
      this.text = document.createTextNode('')
      block.append(this.text)
      this.output.append(block)
    }
    this.text.appendData(text)
  }

  appendReasoning(event) {
    if (this.reasoning === undefined) {
      const box = element('details', 'reasoning')
      const summary = element('summary', '', 'Reasoning')
      const content = document.createTextNode('')
      const pre = element('pre', 'reasoning-text')
      pre.append(content)
      box.append(summary, pre)
      this.output.append(box)
      this.reasoning = { box, summary, content, length: 0 }
    }
    const reasoning = this.reasoning
    if (typeof event.reasoningText === 'string') {
      reasoning.content.appendData(event.reasoningText)
      reasoning.length += event.reasoningText.length
      reasoning.summary.textContent = `Reasoning (${reasoning.length} characters)`
    }
    if (event.reasoningRedactedContent !== undefined) reasoning.summary.textContent = 'Reasoning (redacted)'
  }

  toolCard(toolUseId, name) {
    let card = this.toolCards.get(toolUseId)
    if (card !== undefined) return card
    const root = element('div', 'tool-call')
    root.dataset.toolUseId = toolUseId
    root.dataset.state = 'running'
    const heading = element('div', 'tool-heading')
    const nameNode = element('span', 'tool-name', name)
    const state = element('span', 'tool-state', 'receiving arguments…')
    heading.append(element('span', 'tool-label', 'Tool'), nameNode, state)
    const input = element('pre', 'tool-input')
    const progress = element('ol', 'tool-progress')
    const result = element('pre', 'tool-result')
    result.hidden = true
    root.append(heading, input, progress, result)
    this.output.append(root)
    card = { root, nameNode, state, input, progress, result }
    this.toolCards.set(toolUseId, card)
    this.closeBlocks()
    return card
  }

  handle(type, event) {
    if (this.firstEventAt === undefined) {
      this.firstEventAt = performance.now()
      this.setStatus('Running…')
    }
    switch (type) {
      case 'init_event_loop':
        this.addTimeline('run started')
        break
      case 'start_event_loop':
        this.cycles = event.cycle
        this.closeBlocks()
        this.addTimeline(`cycle ${event.cycle}: model called`, 'cycle')
        break
      case 'model_stream':
        this.handleModelEvent(event.event)
        break
      case 'data':
        this.appendText(event.data)
        break
      case 'reasoning':
        this.appendReasoning(event)
        break
      case 'tool_use_stream': {
        const { toolUseId, name, input } = event.current_tool_use
        this.toolCard(toolUseId, name).input.textContent = input
        break
      }
      case 'message':
        this.closeBlocks()
        if (event.message.role === 'assistant') {
          // The complete tool inputs, now parsed: show them pretty-printed.
          for (const block of event.message.content) {
            if (block.toolUse !== undefined) {
              const { toolUseId, name, input } = block.toolUse
              const card = this.toolCard(toolUseId, name)
              card.input.textContent = formatJson(input)
              if (card.root.dataset.state === 'running') card.state.textContent = 'running…'
            }
          }
        }
        break
      case 'tool_stream': {
        const { tool_use: toolUse, data } = event.tool_stream_event
        const card = this.toolCard(toolUse.toolUseId, toolUse.name)
        card.progress.append(element('li', '', typeof data === 'string' ? data : JSON.stringify(data)))
        break
      }
      case 'tool_result':
        this.showToolResult(event.tool_result)
        break
      case 'throttled':
        this.addTimeline(
          `throttled by the provider: retrying in ${event.event_loop_throttled_delay} s`,
          'retry',
        )
        break
      case 'structured_output': {
        const block = element('pre', 'structured-output', formatJson(event.structured_output))
        this.output.append(block)
        break
      }
      case 'interrupt':
        this.showInterrupt(event.interrupt)
        break
      case 'force_stop':
        this.addTimeline(`force stop: ${event.force_stop_reason}`, 'error')
        break
      case 'result':
        this.showResult(event.result)
        break
      case 'error':
        // @agent/server sends `{ type: 'error', error: { name, message, errorId? } }`: a safe message.
        this.fail(describeStreamError(event))
        break
      default:
        break
    }
    scrollToEnd()
  }

  handleModelEvent(modelEvent) {
    if (modelEvent === undefined) return
    if (modelEvent.contentBlockStop !== undefined) this.closeBlocks()
    else if (modelEvent.messageStop !== undefined) {
      this.addTimeline(`model finished: ${modelEvent.messageStop.stopReason}`)
    } else if (modelEvent.metadata !== undefined) {
      const usage = modelEvent.metadata.usage
      if (usage !== undefined) {
        this.usageReported = true
        this.usage.inputTokens += usage.inputTokens || 0
        this.usage.outputTokens += usage.outputTokens || 0
        this.usage.totalTokens += usage.totalTokens || 0
      }
      this.renderMetrics({ usage: this.usage, cycleCount: this.cycles })
    }
  }

  showToolResult(toolResult) {
    const card = this.toolCard(toolResult.toolUseId, 'unknown tool')
    card.root.dataset.state = toolResult.status
    card.state.textContent = toolResult.status === 'success' ? 'done' : 'failed'
    const parts = toolResult.content.map((part) => {
      if (part.text !== undefined) return part.text
      if (part.json !== undefined) return formatJson(part.json)
      if (part.image !== undefined) return `[image: ${part.image.format}]`
      if (part.document !== undefined) return `[document: ${part.document.name}]`
      return JSON.stringify(part)
    })
    card.result.textContent = parts.join('\n')
    card.result.hidden = false
    const name = card.nameNode.textContent
    this.addTimeline(`tool ${name}: ${toolResult.status}`, toolResult.status === 'success' ? 'tool' : 'error')
  }

  showResult(result) {
    this.addTimeline(`finished: ${result.stopReason}`, 'done')
    this.renderMetrics(result.metrics)
    if (result.stopReason === 'interrupt') {
      for (const interrupt of result.interrupts ?? []) this.showInterrupt(interrupt)
      waitingTurn = this
      for (const card of this.approvalCards.values()) card.enable(resumeUrl !== '')
      const waiting =
        resumeUrl === ''
          ? 'Waiting for a person, but this server has no resume route (set sessionAgent).'
          : 'Waiting for your answer.'
      return this.finish(waiting, 'waiting')
    }
    this.finish(`Finished (${result.stopReason}).`, 'done')
  }

  /** An approval card: approve, or deny with a reason; when every card is answered the run resumes. */
  showInterrupt(interrupt) {
    if (this.approvalCards.has(interrupt.id)) return
    const root = element('div', 'approval-card')
    root.dataset.interruptId = interrupt.id
    root.dataset.state = 'pending'
    const reason = interrupt.reason ?? {}
    const title =
      interrupt.name === 'approval' && typeof reason.tool === 'string'
        ? `Approve ${reason.tool}?`
        : `The agent asks: ${interrupt.name}`
    const details = element('pre', 'approval-reason', formatJson(reason))
    const denyReason = element('input', 'approval-deny-reason')
    denyReason.type = 'text'
    denyReason.placeholder = 'Reason (when denying)'
    denyReason.setAttribute('aria-label', 'Reason for denying')
    const approve = element('button', 'approve', 'Approve')
    const deny = element('button', 'deny', 'Deny')
    approve.type = 'button'
    deny.type = 'button'
    const actions = element('div', 'approval-actions')
    actions.append(denyReason, approve, deny)
    const outcome = element('p', 'approval-outcome')
    root.append(element('div', 'approval-title', title), details, actions, outcome)
    this.output.append(root)
    this.closeBlocks()
    const controls = [approve, deny, denyReason]
    const card = {
      root,
      response: undefined,
      enable: (enabled) => {
        for (const control of controls) control.disabled = !enabled
      },
      answer: (response, text) => {
        card.response = response
        card.enable(false)
        root.dataset.state = response.approved ? 'approved' : 'denied'
        outcome.textContent = text
        this.answered()
      },
      expire: () => {
        if (card.response !== undefined) return
        card.enable(false)
        root.dataset.state = 'expired'
        outcome.textContent = 'Not answered: a new prompt was sent instead.'
      },
    }
    card.enable(false)
    approve.addEventListener('click', () => card.answer({ approved: true }, 'Approved.'))
    deny.addEventListener('click', () => {
      const why = denyReason.value.trim()
      card.answer(
        { approved: false, reason: why || 'denied in the playground' },
        `Denied${why ? `: ${why}` : '.'}`,
      )
    })
    this.approvalCards.set(interrupt.id, card)
    this.addTimeline(`interrupt: ${interrupt.name}`, 'interrupt')
  }

  /** Resumes the run once every card of this turn has an answer. */
  answered() {
    const cards = [...this.approvalCards.entries()]
    if (cards.some(([, card]) => card.response === undefined)) return
    if (waitingTurn === this) waitingTurn = undefined
    const responses = cards.map(([interruptId, card]) => ({ interruptId, response: card.response }))
    const label = cards
      .map(([, card]) => (card.response.approved ? 'approved' : `denied (${card.response.reason})`))
      .join(', ')
    const url = resumeUrl.replace(':sessionId', encodeURIComponent(sessionId))
    void run(`Resume: ${label}`, (signal) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ responses }),
        signal,
      }),
    )
  }

  /** `usageKnown` is false when the run ended before the model reported any usage. */
  renderMetrics(metrics, usageKnown = true) {
    const usage = metrics.usage || {}
    const rows = [
      [
        'Tokens',
        usageKnown
          ? `${usage.inputTokens ?? 0} in · ${usage.outputTokens ?? 0} out · ${usage.totalTokens ?? 0} total`
          : 'not reported (the run ended before the model sent usage)',
      ],
      ['Cycles', String(metrics.cycleCount ?? this.cycles)],
    ]
    if (usage.cacheReadInputTokens) rows.push(['Cache read', `${usage.cacheReadInputTokens} tokens`])
    if (metrics.latencyMs !== undefined) rows.push(['Model latency', formatMs(metrics.latencyMs)])
    if (metrics.timeToFirstByteMs !== undefined) {
      rows.push(['Time to first byte', formatMs(metrics.timeToFirstByteMs)])
    }
    if (metrics.durationMs !== undefined) rows.push(['Run duration', formatMs(metrics.durationMs)])
    if (this.firstTokenAt !== undefined) {
      rows.push(['First token (browser)', formatMs(this.firstTokenAt - this.startedAt)])
    }
    this.metrics.replaceChildren()
    for (const [name, value] of rows) {
      const row = element('div', 'metric')
      row.dataset.metric = name
      row.append(element('dt', '', name), element('dd', '', value))
      this.metrics.append(row)
    }
  }

  fail(message) {
    this.addTimeline(`error: ${message}`, 'error')
    if (this.firstEventAt !== undefined) {
      this.renderMetrics({ usage: this.usage, cycleCount: this.cycles }, this.usageReported)
    }
    this.finish(`Error: ${message}`, 'error')
  }

  stopped() {
    this.addTimeline('stopped: the request was closed, so the server aborts the run', 'stopped')
    this.renderMetrics({ usage: this.usage, cycleCount: this.cycles }, this.usageReported)
    this.finish('Stopped.', 'stopped')
  }

  finish(statusText, kind) {
    if (this.finished) return
    this.finished = true
    this.closeBlocks()
    for (const card of this.toolCards.values()) {
      if (card.root.dataset.state === 'running') {
        card.root.dataset.state = kind === 'waiting' ? 'waiting' : 'unfinished'
        card.state.textContent = kind === 'waiting' ? 'waiting for a person' : 'no result'
      }
    }
    this.setStatus(statusText, kind)
    this.root.dataset.state = kind
    this.root.setAttribute('aria-busy', 'false')
    scrollToEnd()
  }
}

/** The safe message of an `event: error` frame, with the error id that matches the server's log line. */
function describeStreamError(event) {
  const error = event.error ?? event
  const message = typeof error.message === 'string' ? error.message : 'The run failed on the server.'
  return error.errorId && !message.includes(error.errorId)
    ? `${message} (error id ${error.errorId})`
    : message
}

/** The `detail` of a FastAPI-style error body, as one line. */
async function describeHttpError(response) {
  const text = await response.text().catch(() => '')
  let detail = text
  try {
    const parsed = JSON.parse(text)
    if (Array.isArray(parsed.detail)) {
      detail = parsed.detail
        .map((item) => `${Array.isArray(item.loc) ? item.loc.join('.') : ''}: ${item.msg}`)
        .join('; ')
    } else if (parsed.detail !== undefined) detail = String(parsed.detail)
    else if (parsed.message !== undefined) detail = String(parsed.message)
  } catch {
    // Not JSON: show the text as it is.
  }
  const retryAfter = response.headers.get('retry-after')
  const retry = retryAfter ? ` Retry after ${retryAfter} s.` : ''
  return `HTTP ${response.status}${detail ? `: ${detail.slice(0, 500)}` : ''}.${retry}`
}

/** Reconnections tried after the connection drops mid-run, before giving up. */
const maxResumeAttempts = 3

/** Runs one request (a prompt, or a resume) and renders its events as a new turn. */
async function run(prompt, startRequest) {
  if (waitingTurn !== undefined && waitingTurn !== activeRun?.turn) {
    for (const card of waitingTurn.approvalCards.values()) card.expire()
    waitingTurn = undefined
  }
  const controller = new AbortController()
  const signal = controller.signal
  const turn = new TurnView(prompt)
  emptyState?.remove()
  transcript.append(turn.root)
  activeRun = { controller, turn }
  setRunning(true)
  followOutput = true
  scrollToEnd()

  // The server numbers events; after a dropped connection, `Last-Event-ID` resumes the same run with no gap.
  const connection = { lastEventId: undefined, retryMs: 1000 }
  let resumeAttempts = 0
  let request = () => startRequest(signal)

  try {
    for (;;) {
      try {
        const response = await request()
        if (activeRun?.controller === controller)
          activeRun.runId = response.headers.get('x-run-id') ?? activeRun.runId
        turn.addTimeline(
          resumeAttempts === 0 ? `response: HTTP ${response.status}` : `resumed: HTTP ${response.status}`,
        )
        if (!response.ok) return turn.fail(await describeHttpError(response))
        const contentType = response.headers.get('content-type') || ''
        if (!contentType.startsWith('text/event-stream') || response.body === null) {
          return turn.fail(`Expected an event stream from ${streamUrl}, got "${contentType || 'no body'}".`)
        }
        await readEvents(response.body, connection, turn)
        if (!turn.finished) turn.fail('The stream ended before the run finished.')
        return
      } catch (error) {
        if (signal.aborted || turn.finished) throw error
        if (connection.lastEventId === undefined || resumeAttempts >= maxResumeAttempts) throw error
        resumeAttempts++
        turn.addTimeline(`connection lost: resuming after event ${connection.lastEventId}`, 'retry')
        await delay(connection.retryMs, signal)
        const lastEventId = connection.lastEventId
        request = () =>
          fetch(streamUrl, { headers: { accept: 'text/event-stream', 'last-event-id': lastEventId }, signal })
      }
    }
  } catch (error) {
    if (signal.aborted) turn.stopped()
    else turn.fail(`The connection failed: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    if (activeRun?.controller === controller) activeRun = undefined
    setRunning(false)
  }
}

/** Feeds a response body to the turn, one server-sent event at a time, until it ends. */
async function readEvents(body, connection, turn) {
  const parser = new EventStreamParser(connection, (message) => {
    let event
    try {
      event = JSON.parse(message.data)
    } catch {
      event = message.event === 'error' ? { message: message.data } : undefined
    }
    if (event !== undefined) turn.handle(message.event === 'message' ? event.type : message.event, event)
  })
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    parser.push(value)
  }
}

function delay(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

function setRunning(running) {
  sendButton.disabled = running
  stopButton.disabled = !running
  body.dataset.running = String(running)
}

form.addEventListener('submit', (submitEvent) => {
  submitEvent.preventDefault()
  const prompt = promptInput.value.trim()
  if (prompt === '' || activeRun !== undefined) return
  promptInput.value = ''
  void run(prompt, (signal) =>
    fetch(streamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(sessionId === undefined ? { prompt } : { prompt, sessionId }),
      signal,
    }),
  )
})

promptInput.addEventListener('keydown', (keyEvent) => {
  if (keyEvent.key === 'Enter' && !keyEvent.shiftKey && !keyEvent.isComposing) {
    keyEvent.preventDefault()
    form.requestSubmit()
  }
})

// Stop closes the request and tells the server to end the run now, rather than wait for a reconnect.
stopButton.addEventListener('click', () => {
  if (activeRun === undefined) return
  const { controller, runId } = activeRun
  controller.abort()
  if (runId) fetch(`${streamUrl}/${encodeURIComponent(runId)}`, { method: 'DELETE' }).catch(() => {})
})

function showExamplePrompts() {
  let prompts = []
  try {
    prompts = JSON.parse(body.dataset.examplePrompts || '[]')
  } catch {
    prompts = []
  }
  const container = document.getElementById('example-prompts')
  for (const prompt of prompts) {
    const button = element('button', 'example-prompt', prompt)
    button.type = 'button'
    button.addEventListener('click', () => {
      promptInput.value = prompt
      promptInput.focus()
    })
    container.append(button)
  }
}

showExamplePrompts()
setRunning(false)
promptInput.focus()
