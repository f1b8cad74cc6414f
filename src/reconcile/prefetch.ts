/**
 * Iterate `pages` one page ahead: the next page is being fetched (the remote serialising
 * it, the socket filling) while the caller maps, hashes and spools this one. A listing is
 * a long chain of request, wait, work; with one page in flight the waits overlap the work
 * instead of adding to it. Stops the underlying iterator when the caller stops early.
 */
export async function * prefetched<T> (pages: AsyncIterable<T>): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]()
  let next = it.next()
  // Handled from the start: a fetch that fails while the caller is busy must not count as
  // an unhandled rejection; it is thrown below when the caller asks for that page.
  next.catch(() => undefined)
  let finished = false
  try {
    for (;;) {
      const result = await next
      if (result.done === true) {
        finished = true
        return
      }
      next = it.next()
      next.catch(() => undefined)
      yield result.value
    }
  } finally {
    if (!finished) {
      await next.catch(() => undefined)
      await it.return?.()
    }
  }
}
