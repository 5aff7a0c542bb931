'use strict';
// Stay connected through a platform restart: after READY the test closes every socket with 1001
// and refuses upgrades for a moment. The client must reconnect and re-authenticate on its own,
// then still work over the new connection (a REST call and a socket request with its reply).
const { createClient, emit, nextEvent, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const socket = sogni.apiClient.socket;
    await nextEvent(socket, 'authenticated', 10000);
    await sogni.projects.waitForModels(10000);

    for (const name of ['connecting', 'connected', 'disconnected']) {
      sogni.apiClient.on(name, (payload) => emit({ event: name, payload: payload ?? null }));
    }
    const reauthenticated = nextEvent(socket, 'authenticated', 20000);
    emit({ event: 'READY' });

    const auth = await reauthenticated;
    emit({ event: 'reauthenticated', username: auth.username });

    const acknowledged = nextEvent(
      socket,
      'socketEventSubscriptionsUpdated',
      10000,
      (payload) => payload?.socketEventSubscriptions?.subscriptionLimitNotice === true
    );
    await sogni.setSocketEventSubscriptions({ subscriptionLimitNotice: true });
    const ack = await acknowledged;
    const balance = await sogni.account.refreshBalance();
    const models = await sogni.projects.waitForModels(10000);
    return {
      username: auth.username,
      subscriptions: ack.socketEventSubscriptions,
      sparkNet: balance.spark.net,
      modelCount: models.length,
      networkStatus: sogni.currentAccount.networkStatus
    };
  } finally {
    sogni.dispose();
  }
});
