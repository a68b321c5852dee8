// The http_request tool, run with no network and no model key: a local JSON service that only the
// operator's policy opens, and the default policy refusing the cloud metadata endpoint.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from '@agent/core'
import { createHttpRequestTool, httpRequest } from '@agent/http-request'

const service = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  response.end(
    '<html><head><title>Inventory</title><script>track()</script></head><body><h1>Stock</h1>' +
      '<table><tr><th>Item</th><th>Count</th></tr><tr><td>Bolts</td><td>40</td></tr></table></body></html>',
  )
})
await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/inventory`

// The operator opens exactly one internal address; everything else stays under the default policy.
const operatorTool = createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'], timeoutMs: 5_000 })
const internal = new Agent({ tools: [operatorTool], callbackHandler: null })
const page = await internal.tool.http_request({ method: 'GET', url, convert_to_markdown: true })
console.log(`GET ${url} -> ${page.status}`)
for (const block of page.content)
  console.log('text' in block ? block.text : JSON.stringify('json' in block ? block.json : block))

// The default tool: public internet only. A prompt-injected model asking for credentials gets a refusal.
const defaultAgent = new Agent({ tools: [httpRequest], callbackHandler: null })
for (const target of ['http://169.254.169.254/latest/meta-data/iam/', url]) {
  const refused = await defaultAgent.tool.http_request({ method: 'GET', url: target })
  console.log(`GET ${target} -> ${refused.status}`)
  for (const block of refused.content) if ('text' in block) console.log(block.text)
}

service.close()
