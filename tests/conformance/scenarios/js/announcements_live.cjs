'use strict';
// Announcements over the socket: a client that opted in (`socketEventSubscriptions:
// { appAlert: true }`) receives the live pinned banner as `appAlert` when it connects; a client
// that did not receives it as `toastMessage`. Reports both payloads.
const { config, createClient, nextEvent, run } = require('./_harness.cjs');

run(async () => {
  const alerts = await createClient({
    appId: `${config.appId}-alerts`,
    socketEventSubscriptions: { appAlert: true }
  });
  const plain = await createClient();
  try {
    const [appAlert, toast] = await Promise.all([
      nextEvent(alerts.apiClient.socket, 'appAlert', 10000),
      nextEvent(plain.apiClient.socket, 'toastMessage', 10000)
    ]);
    return { appAlert, toast };
  } finally {
    alerts.dispose();
    plain.dispose();
  }
});
