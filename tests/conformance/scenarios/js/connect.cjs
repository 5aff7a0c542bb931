'use strict';
// Connect with an API key, read the account, the balance and the models, then disconnect.
const { createClient, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const me = await sogni.account.me();
    const balance = await sogni.account.refreshBalance();
    const available = await sogni.projects.waitForModels(10000);
    const supported = await sogni.projects.getSupportedModels();
    return {
      me: { username: me.username, walletAddress: me.walletAddress, email: me.currentEmail },
      balance,
      availableModels: available.map(({ id, name, workerCount, media }) => ({
        id,
        name,
        workerCount,
        media
      })),
      supportedModels: supported.map((model) => model.id),
      currentAccount: {
        username: sogni.currentAccount.username,
        walletAddress: sogni.currentAccount.walletAddress
      }
    };
  } finally {
    sogni.dispose();
  }
});
