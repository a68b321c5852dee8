import { Parser } from 'htmlparser2'

export interface HtmlToMarkdownOptions {
  /** Resolves relative links and images. */
  baseUrl?: string
  /** Only this many characters of HTML are read. */
  maxInputCharacters: number
  /** Parsing stops after this long, keeping what it has. */
  timeLimitMs: number
  /** Elements kept at most. Default 200 000. */
  maxElements?: number
}

export interface MarkdownConversion {
  markdown: string
  /** The document's `<title>`, if any. */
  title?: string
  /** Why the conversion is partial, when it is. */
  notes: string[]
}

interface ElementNode {
  tag: string
  href?: string
  src?: string
  alt?: string
  language?: string
  children: MarkdownNode[]
}

type MarkdownNode = ElementNode | string

/** Content a reader never sees: dropped with everything inside. */
const droppedTags = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'select',
  'datalist',
])

const blockTags = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'nav',
  'aside',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'form',
  'fieldset',
  'dl',
  'dd',
  'center',
  'body',
  'html',
  'caption',
])

const maxDepth = 100
const maxTitleCharacters = 300
const maxTableColumns = 50
const chunkCharacters = 32 * 1024

/**
 * Converts HTML to Markdown: headings, paragraphs, lists, links, images, emphasis, code, quotes and
 * tables (as GitHub tables). Scripts, styles and other invisible content are removed. The input size,
 * element count, nesting depth and time are all bounded, so hostile pages cannot stall the agent.
 */
export function htmlToMarkdown(html: string, options: HtmlToMarkdownOptions): MarkdownConversion {
  const notes: string[] = []
  const maxElements = options.maxElements ?? 200_000
  let input = html
  if (html.length > options.maxInputCharacters) {
    input = html.slice(0, options.maxInputCharacters)
    // Do not leave half a tag at the cut: it would show up as text.
    const openTag = input.lastIndexOf('<')
    if (openTag > input.lastIndexOf('>')) input = input.slice(0, openTag)
  }
  if (input.length < html.length) {
    notes.push(`only the first ${options.maxInputCharacters} characters of HTML were converted`)
  }

  const root: ElementNode = { tag: 'root', children: [] }
  const stack: ElementNode[] = [root]
  let droppedDepth = 0
  let overflowDepth = 0
  let flattened = false
  let elementCount = 0
  let stopped = false
  let title: string | undefined
  let inTitle = false

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (stopped) return
        if (name === 'title' && droppedDepth === 0 && title === undefined) {
          // Kept apart from the body: the tool reports it as the page title.
          inTitle = true
          title = ''
        }
        if (inTitle || droppedDepth > 0 || droppedTags.has(name) || 'hidden' in attributes) {
          droppedDepth += 1
          return
        }
        elementCount += 1
        if (elementCount > maxElements) {
          stopped = true
          notes.push(`conversion stopped after ${maxElements} elements`)
          return
        }
        if (stack.length > maxDepth) {
          flattened = true
          overflowDepth += 1
          return
        }
        const node: ElementNode = { tag: name, children: [] }
        if (name === 'a' && attributes.href !== undefined) node.href = attributes.href
        if (name === 'img') {
          node.src = attributes.src
          node.alt = attributes.alt
        }
        if (name === 'code' || name === 'pre') {
          const language = /(?:^|\s)(?:language|lang)-([\w+#-]+)/.exec(attributes.class ?? '')?.[1]
          if (language !== undefined) node.language = language
        }
        stack.at(-1)!.children.push(node)
        stack.push(node)
      },
      ontext(text) {
        if (stopped) return
        if (inTitle) {
          if ((title ?? '').length < maxTitleCharacters) title = (title ?? '') + text
          return
        }
        if (droppedDepth > 0) return
        stack.at(-1)!.children.push(text)
      },
      onclosetag() {
        if (stopped) return
        if (droppedDepth > 0) {
          droppedDepth -= 1
          if (droppedDepth === 0) inTitle = false
          return
        }
        if (overflowDepth > 0) {
          overflowDepth -= 1
          return
        }
        if (stack.length > 1) stack.pop()
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )

  const started = performance.now()
  for (let offset = 0; offset < input.length && !stopped; offset += chunkCharacters) {
    parser.write(input.slice(offset, offset + chunkCharacters))
    if (performance.now() - started > options.timeLimitMs) {
      stopped = true
      notes.push(`conversion stopped after ${options.timeLimitMs} ms`)
    }
  }
  if (!stopped) parser.end()
  if (flattened) notes.push(`nesting deeper than ${maxDepth} was flattened`)

  const renderer = new MarkdownRenderer(options.baseUrl, started + options.timeLimitMs)
  const markdown = normalizeBlankLines(renderer.block(root.children))
  if (renderer.outOfTime && !stopped) notes.push(`conversion stopped after ${options.timeLimitMs} ms`)
  const cleanTitle = title?.replace(/\s+/g, ' ').trim().slice(0, maxTitleCharacters)
  return { markdown, ...(cleanTitle ? { title: cleanTitle } : {}), notes }
}

class MarkdownRenderer {
  private readonly baseUrl: string | undefined
  private readonly deadline: number
  private visited = 0
  /** Set when the time ran out: the rest of the document is skipped. */
  outOfTime = false

  constructor(baseUrl: string | undefined, deadline: number) {
    this.baseUrl = baseUrl
    this.deadline = deadline
  }

  block(nodes: MarkdownNode[]): string {
    const pieces: string[] = []
    // Tracked apart: asking a growing string for its last character would flatten it each time.
    let atLineStart = true
    for (const node of nodes) {
      let piece = this.node(node)
      // Whitespace that only separated tags must not indent the next line.
      if (typeof node === 'string' && atLineStart) piece = piece.trimStart()
      if (piece === '') continue
      pieces.push(piece)
      atLineStart = piece.endsWith('\n')
    }
    return pieces.join('')
  }

  /** Inline content on one line: for headings, table cells and link text. */
  inline(nodes: MarkdownNode[]): string {
    return this.block(nodes)
      .replace(/\s*\n\s*/g, ' ')
      .trim()
  }

  private node(node: MarkdownNode): string {
    if (this.outOfTime) return ''
    if ((this.visited += 1) % 1024 === 0 && performance.now() > this.deadline) {
      this.outOfTime = true
      return ''
    }
    if (typeof node === 'string') return node.replace(/\s+/g, ' ')
    const tag = node.tag
    if (/^h[1-6]$/.test(tag)) {
      const text = this.inline(node.children)
      return text === '' ? '' : `\n\n${'#'.repeat(Number(tag[1]))} ${text}\n\n`
    }
    if (blockTags.has(tag)) return `\n\n${this.block(node.children).trim()}\n\n`
    switch (tag) {
      case 'br':
        return '\n'
      case 'hr':
        return '\n\n---\n\n'
      case 'strong':
      case 'b':
        return this.wrap(node, '**')
      case 'em':
      case 'i':
        return this.wrap(node, '*')
      case 'del':
      case 's':
      case 'strike':
        return this.wrap(node, '~~')
      case 'code':
        return this.inlineCode(textContent(node))
      case 'a':
        return this.link(node)
      case 'img':
        return this.image(node)
      case 'pre':
        return this.preformatted(node)
      case 'blockquote':
        return this.blockquote(node)
      case 'ul':
      case 'ol':
        return this.list(node)
      case 'li':
        return `\n\n- ${this.block(node.children).trim()}\n\n`
      case 'dt':
        return `\n\n**${this.inline(node.children)}**\n`
      case 'table':
        return this.table(node)
      case 'tr':
        return `\n${this.block(node.children).trim()}\n`
      case 'td':
      case 'th':
        return ` ${this.inline(node.children)} `
      default:
        return this.block(node.children)
    }
  }

  private wrap(node: ElementNode, marker: string): string {
    const text = this.inline(node.children)
    return text === '' ? '' : `${marker}${text}${marker}`
  }

  private inlineCode(text: string): string {
    const flat = text.replace(/\s+/g, ' ')
    if (flat.trim() === '') return ''
    const fence = flat.includes('`') ? '``' : '`'
    return `${fence}${flat}${fence}`
  }

  private link(node: ElementNode): string {
    const text = this.inline(node.children)
    const href = this.resolve(node.href, ['http:', 'https:', 'mailto:'])
    if (text === '') return ''
    return href === undefined ? text : `[${text}](${href})`
  }

  private image(node: ElementNode): string {
    const alt = (node.alt ?? '').replace(/\s+/g, ' ').trim()
    const src = this.resolve(node.src, ['http:', 'https:'])
    if (src === undefined) return alt === '' ? '' : `![${alt}]`
    return `![${alt}](${src})`
  }

  /** Resolves a link; drops `javascript:`, `data:` and other schemes a reader cannot follow. */
  private resolve(reference: string | undefined, schemes: string[]): string | undefined {
    if (reference === undefined || reference.trim() === '') return undefined
    try {
      const url = new URL(reference.trim(), this.baseUrl)
      if (!schemes.includes(url.protocol)) return undefined
      return url.href.replace(/[()\s]/g, (character) => encodeURIComponent(character))
    } catch {
      return undefined
    }
  }

  private preformatted(node: ElementNode): string {
    const text = textContent(node).replace(/^\n/, '').replace(/\s+$/, '')
    const language = node.language ?? findLanguage(node) ?? ''
    let fence = '```'
    while (text.includes(fence)) fence += '`'
    return `\n\n${fence}${language}\n${text}\n${fence}\n\n`
  }

  private blockquote(node: ElementNode): string {
    const inner = normalizeBlankLines(this.block(node.children))
    if (inner === '') return ''
    return `\n\n${inner
      .split('\n')
      .map((line) => (line === '' ? '>' : `> ${line}`))
      .join('\n')}\n\n`
  }

  private list(node: ElementNode): string {
    const ordered = node.tag === 'ol'
    const lines: string[] = []
    let number = 1
    for (const child of node.children) {
      if (typeof child === 'string') {
        if (child.trim() !== '') lines.push(`- ${child.trim()}`)
        continue
      }
      const content =
        child.tag === 'li'
          ? normalizeBlankLines(this.block(child.children)).replace(/\n{2,}/g, '\n')
          : normalizeBlankLines(this.node(child))
      if (content === '') continue
      const marker = ordered ? `${number}. ` : '- '
      number += 1
      const indent = ' '.repeat(marker.length)
      lines.push(
        content
          .split('\n')
          .map((line, index) => (index === 0 ? marker + line : line === '' ? '' : indent + line))
          .join('\n'),
      )
    }
    return lines.length === 0 ? '' : `\n\n${lines.join('\n')}\n\n`
  }

  private table(node: ElementNode): string {
    const rows: string[][] = []
    let caption = ''
    const visit = (element: ElementNode) => {
      for (const child of element.children) {
        if (typeof child === 'string') continue
        if (child.tag === 'caption') caption = this.inline(child.children)
        else if (child.tag === 'tr') rows.push(this.cells(child))
        else if (child.tag !== 'table') visit(child)
      }
    }
    visit(node)
    const filled = rows.filter((row) => row.length > 0)
    if (filled.length === 0) return ''
    const columns = Math.min(maxTableColumns, Math.max(...filled.map((row) => row.length)))
    const line = (row: string[]) =>
      `| ${Array.from({ length: columns }, (_, index) => row[index] ?? '').join(' | ')} |`
    const [header, ...body] = filled
    const out = [line(header!), `| ${Array.from({ length: columns }, () => '---').join(' | ')} |`]
    for (const row of body) out.push(line(row))
    return `\n\n${caption === '' ? '' : `${caption}\n\n`}${out.join('\n')}\n\n`
  }

  private cells(row: ElementNode): string[] {
    const cells: string[] = []
    for (const child of row.children) {
      if (typeof child === 'string' || (child.tag !== 'td' && child.tag !== 'th')) continue
      cells.push(this.inline(child.children).replace(/\|/g, '\\|'))
    }
    return cells
  }
}

function textContent(node: MarkdownNode): string {
  if (typeof node === 'string') return node
  if (node.tag === 'br') return '\n'
  let out = ''
  for (const child of node.children) out += textContent(child)
  return out
}

function findLanguage(node: ElementNode): string | undefined {
  for (const child of node.children) {
    if (typeof child !== 'string' && child.language !== undefined) return child.language
  }
  return undefined
}

/** Trailing spaces off, at most one blank line in a row, no blank lines at the ends. */
function normalizeBlankLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
