// TensorBoard's plugin IPC: the plugin frame hands the host a MessagePort ('experimental.bootstrap'), and the
// host sends JSON messages through it ({type, id, payload}), each answered with a reply ({..., isReply: true}).
// The dashboard listens for 'experimental.DataReloaded' (the host reloaded its data: the reload button, or its
// periodic reload) to list the tags again at once instead of waiting for its own timer.

const DATA_RELOADED = 'experimental.DataReloaded';

/**
 * Calls `onReload()` whenever TensorBoard reloads its data. Does nothing outside a plugin frame.
 * @param {() => void} onReload
 * @returns {() => void} stops listening.
 */
export function onDataReloaded(onReload) {
  if (window.parent === window) return () => {};
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message || typeof message !== 'object' || message.isReply) return;
    const reply = {type: message.type, id: message.id, payload: null, error: null, isReply: true};
    channel.port1.postMessage(JSON.stringify(reply));
    if (message.type === DATA_RELOADED) onReload();
  };
  window.parent.postMessage('experimental.bootstrap', '*', [channel.port2]);
  return () => channel.port1.close();
}
