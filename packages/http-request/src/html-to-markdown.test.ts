import { describe, expect, it } from 'vitest'
import { htmlToMarkdown } from './html-to-markdown.js'

const options = {
  maxInputCharacters: 1_000_000,
  timeLimitMs: 5_000,
  baseUrl: 'https://example.test/docs/page',
}
const convert = (html: string, extra = {}) => htmlToMarkdown(html, { ...options, ...extra })

describe('htmlToMarkdown', () => {
  it('converts headings, paragraphs, emphasis, code and rules', () => {
    const { markdown } = convert(
      '<h2>Install</h2><p>Run <code>npm i</code> <b>now</b>, or <i>later</i>; <del>never</del>.</p><hr><h6>End</h6>',
    )
    expect(markdown).toBe('## Install\n\nRun `npm i` **now**, or *later*; ~~never~~.\n\n---\n\n###### End')
  })

  it('removes scripts, styles, templates, svg, hidden elements and comments', () => {
    const { markdown } = convert(
      '<p>visible</p><script>evil()</script><style>p{}</style><template><p>t</p></template>' +
        '<svg><title>icon</title><text>svg text</text></svg><div hidden>hidden text</div><!-- comment --><p>after</p>',
    )
    expect(markdown).toBe('visible\n\nafter')
  })

  it('keeps tables, with header row, escaped pipes and ragged rows padded', () => {
    const { markdown } = convert(
      '<table><caption>Prices</caption><tr><th>Item</th><th>Cost</th><th>Note</th></tr>' +
        '<tr><td>A|B</td><td><b>3</b></td></tr><tr><td>C</td><td>4</td><td>multi<br>line</td></tr></table>',
    )
    expect(markdown).toBe(
      'Prices\n\n| Item | Cost | Note |\n| --- | --- | --- |\n| A\\|B | **3** |  |\n| C | 4 | multi line |',
    )
  })

  it('renders nested and ordered lists with indentation', () => {
    const { markdown } = convert('<ol><li>one<ul><li>a</li><li>b</li></ul></li><li>two</li></ol>')
    expect(markdown).toBe('1. one\n   - a\n   - b\n2. two')
  })

  it('resolves links and images and drops script and data URLs', () => {
    const { markdown } = convert(
      '<p><a href="../guide">Guide</a> <a href="javascript:alert(1)">Click</a> <a href="mailto:a@b.test">Mail</a>' +
        ' <img src="/logo.png" alt="Logo"> <img src="data:image/png;base64,AAAA" alt="inline"></p>',
    )
    expect(markdown).toBe(
      '[Guide](https://example.test/guide) Click [Mail](mailto:a@b.test) ![Logo](https://example.test/logo.png) ![inline]',
    )
  })

  it('keeps preformatted text verbatim in a fence long enough for its content', () => {
    const { markdown } = convert(
      '<pre><code class="language-js">const a = 1\n  if (a) {\n```\n}</code></pre>',
    )
    expect(markdown).toBe('````js\nconst a = 1\n  if (a) {\n```\n}\n````')
  })

  it('quotes blockquotes, decodes entities and reports the title', () => {
    const result = convert(
      '<title> My &amp; page </title><blockquote><p>Quote &lt;1&gt;</p><p>two</p></blockquote>',
    )
    expect(result.title).toBe('My & page')
    expect(result.markdown).toBe('> Quote <1>\n>\n> two')
  })

  it('caps the title', () => {
    expect(convert(`<title>${'t'.repeat(10_000)}</title><p>x</p>`).title).toHaveLength(300)
  })

  it('bounds input size, element count and nesting depth, and says so', () => {
    const cut = convert('<p>keep</p><p>drop</p>', { maxInputCharacters: 12 })
    expect(cut.markdown).toBe('keep')
    expect(cut.notes).toEqual(['only the first 12 characters of HTML were converted'])

    const many = convert('<span>x</span>'.repeat(100), { maxElements: 10 })
    expect(many.markdown).toBe('x'.repeat(10))
    expect(many.notes).toEqual(['conversion stopped after 10 elements'])

    const deep = convert(`${'<div>'.repeat(5000)}deep text${'</div>'.repeat(5000)}<p>after</p>`)
    expect(deep.markdown).toBe('deep text\n\nafter')
    expect(deep.notes).toEqual(['nesting deeper than 100 was flattened'])
  })

  it('stops at the time limit and keeps what it has', () => {
    // A zero budget: the first chunk is parsed, then the clock has always run out.
    const html = `<p>first</p>${'<p>more</p>'.repeat(20_000)}`
    const result = convert(html, { timeLimitMs: Number.MIN_VALUE })
    expect(result.notes).toEqual([`conversion stopped after ${Number.MIN_VALUE} ms`])
    expect(result.markdown.startsWith('first')).toBe(true)
    expect(result.markdown.length).toBeLessThan(html.length / 2)
  })
})
