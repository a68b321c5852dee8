export { type AuthType, authTypes } from './authentication.js'
export { type HtmlToMarkdownOptions, htmlToMarkdown, type MarkdownConversion } from './html-to-markdown.js'
export { HttpRequestError, type HttpRequestErrorCode } from './http-request-error.js'
export {
  type ConsentCallback,
  type ConsentRequest,
  defaultPolicy,
  type HostLookup,
  type HttpRequestPolicy,
  type LookupAddress,
  refuseMutatingRequests,
} from './http-request-policy.js'
export {
  createHttpRequestTool,
  type HttpRequestInput,
  httpMethods,
  httpRequest,
  httpRequestInputSchema,
} from './http-request-tool.js'
export { type AddressKind, classifyIpAddress, parseIpAddress, parseIpRange } from './ip-address.js'
