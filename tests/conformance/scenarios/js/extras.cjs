'use strict';
// Replay records, the leaderboard and announcements through the official client:
// `replay.write` / `replay.list` / `replay.get`, `stats.leaderboard`, `announcements.active`
// (with and without a platform) and `announcements.dismiss`. Reports what each returned.
const { config, createClient, run } = require('./_harness.cjs');

run(async () => {
  const sogni = await createClient();
  try {
    const written = await sogni.replay.write(config.args.record);
    const listed = await sogni.replay.list({ limit: 10 });
    const got = await sogni.replay.get(config.args.record.run_id);
    let missing = null;
    try {
      await sogni.replay.get('no-such-run');
    } catch (error) {
      missing = error.status;
    }
    const leaderboard = await sogni.stats.leaderboard({ type: 'projectCompleteArtist', period: 'lifetime' });
    const seeded = await sogni.stats.leaderboard({ type: 'referral', period: 'day', page: 2, limit: 1 });
    const active = await sogni.announcements.active();
    const forPlatform = await sogni.announcements.active(config.args.platform);
    await sogni.announcements.dismiss(config.args.dismiss);
    const afterDismiss = await sogni.announcements.active();
    return { written, listed, got, missing, leaderboard, seeded, active, forPlatform, afterDismiss };
  } finally {
    sogni.dispose();
  }
});
