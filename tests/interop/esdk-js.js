// Encrypts or decrypts a file with the official AWS Encryption SDK for JavaScript, with its KMS keyring pointed at a
// KMS-compatible endpoint. Used by the .NET interop test (tests/OrleansKms.IntegrationTests/Encryption).
//
//   node esdk-js.js encrypt --endpoint URL --region R --key ARN [--key ARN ...] --suite 0478|0578 [--frame N]
//                           [--context k=v ...] --in FILE --out FILE
//   node esdk-js.js decrypt --endpoint URL --region R --key ARN [--key ARN ...] --in FILE --out FILE
//
// Decrypt prints the message's encryption context as JSON on stdout. Any failure exits 1 with the error on stderr.
'use strict'
const fs = require('fs')
const { KmsKeyringNode, buildClient, CommitmentPolicy, getClient } = require('@aws-crypto/client-node')
const { KMS } = require('@aws-sdk/client-kms')

function parse (argv) {
  const args = { key: [], context: {} }
  args.command = argv[0]
  for (let i = 1; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '')
    const value = argv[i + 1]
    if (value === undefined) throw new Error(`--${name} needs a value`)
    if (name === 'key') args.key.push(value)
    else if (name === 'context') {
      const at = value.indexOf('=')
      args.context[value.slice(0, at)] = value.slice(at + 1)
    } else args[name] = value
  }
  return args
}

async function main () {
  const args = parse(process.argv.slice(2))
  const clientProvider = getClient(KMS, {
    endpoint: args.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1
  })
  const [generatorKeyId, ...keyIds] = args.key
  const keyring = new KmsKeyringNode({ clientProvider, generatorKeyId, keyIds })
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const input = fs.readFileSync(args.in)
  if (args.command === 'encrypt') {
    const { result } = await encrypt(keyring, input, {
      suiteId: parseInt(args.suite, 16),
      frameLength: args.frame ? parseInt(args.frame, 10) : undefined,
      encryptionContext: args.context
    })
    fs.writeFileSync(args.out, result)
  } else if (args.command === 'decrypt') {
    const { plaintext, messageHeader } = await decrypt(keyring, input)
    fs.writeFileSync(args.out, plaintext)
    process.stdout.write(JSON.stringify({ suiteId: messageHeader.suiteId, encryptionContext: messageHeader.encryptionContext }))
  } else {
    throw new Error(`unknown command ${args.command}`)
  }
}

main().catch((e) => {
  process.stderr.write(`esdk-js: ${e && e.stack ? e.stack : e}\n`)
  process.exit(1)
})
