// Package asyncapiparser holds the end-to-end test that compares sockspec's
// AsyncAPI engine with the official @asyncapi/parser (npm, run by node from
// ../node_modules) on every corpus document and every `sockspec convert`
// output. parse.js is the node side.
package asyncapiparser
