/** BullMQ's own key prefix, under the hub's (`redis.keyPrefix`): the push and webhook queues live there. */
export function queuePrefix (prefix: string): string {
  return `${prefix}:bull`
}
