import { Transform, type Readable } from 'node:stream'
import iconv from 'iconv-lite'
import type { TextEncoding } from './input-options.js'

/**
 * Bytes to text in the agency's encoding, chunk by chunk (a GBK character split across two
 * chunks is decoded correctly: iconv-lite keeps the partial bytes). A UTF-8 byte-order mark
 * is dropped. Memory: one chunk at a time; the source is paused while the consumer works.
 */
export async function * decodedText (input: Readable | Uint8Array, encoding: TextEncoding, release: AbortSignal): AsyncGenerator<string> {
  if (input instanceof Uint8Array) {
    const text = iconv.decode(Buffer.from(input.buffer, input.byteOffset, input.byteLength), encoding)
    // Hand large buffers out in slices so parsers see the same chunking as from a stream.
    for (let i = 0; i < text.length; i += 1 << 16) yield text.slice(i, i + (1 << 16))
    return
  }
  // iconv-lite's typings say ReadWriteStream; its decoder stream is a Transform (checked, not assumed).
  const decoder = iconv.decodeStream(encoding)
  if (!(decoder instanceof Transform)) throw new TypeError('iconv-lite: the decoder stream is not a Transform')
  const forward = (err: Error): void => { decoder.destroy(err) }
  // A consumer that stops early may be parked in another task (csv-parse's feeder) awaiting
  // the next chunk: `release` ends the read from outside.
  const stop = (): void => { input.destroy(); decoder.destroy() }
  release.addEventListener('abort', stop, { once: true })
  input.once('error', forward)
  input.pipe(decoder)
  try {
    for await (const chunk of decoder) yield chunk as string
    // pipe() does not forward a source error that came after the decoder ended.
    if (input.errored !== null) throw input.errored
  } finally {
    input.off('error', forward)
    release.removeEventListener('abort', stop)
    if (!input.readableEnded) {
      input.unpipe(decoder)
      input.destroy()
    }
    decoder.destroy()
  }
}
