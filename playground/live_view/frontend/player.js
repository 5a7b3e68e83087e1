// Which queued snapshot to show now: pure functions of the queue and the clock, so they can be unit-tested.
//
// The Playground plays by an epoch clock: at ``speed`` epochs per second the clock advances by speed·dt on every
// painted frame, and the newest queued snapshot whose epoch the clock has reached is shown (older ones only give
// their curve points), or, when none has been reached yet, the next one if it is due within a frame (frameIndex).
// Views without a speed show one snapshot per ``interval`` ms.

/**
 * Index of the newest snapshot in ``queue`` with epoch ≤ ``clock``, or -1 when none is due yet.
 * @param {{epoch: number}[]} queue oldest first
 * @param {number} clock
 * @returns {number}
 */
export function dueIndex(queue, clock) {
  let due = -1;
  for (let i = 0; i < queue.length; i++) {
    if (queue[i].epoch <= clock) due = i;
    else break;
  }
  return due;
}

/**
 * Which queued snapshot to show on this painted frame: the newest one the clock has reached, or else the next one
 * if it is due within ``lead`` epochs (one screen frame of play). Snapshots come about one per screen frame but
 * not in step with it (1, 2, 2, 1, ... epochs apart at 100 epochs/s, and the browser's frames jitter), so waiting
 * for the clock alone leaves ~1 frame in 8 without a new picture and shows two snapshots' worth on the next one;
 * showing a snapshot up to one frame early fills those frames without changing the pace (the clock still decides).
 * @param {{epoch: number}[]} queue oldest first
 * @param {number} clock
 * @param {number} lead epochs
 * @returns {number} index into ``queue``, or -1: nothing to show yet
 */
export function frameIndex(queue, clock, lead) {
  const due = dueIndex(queue, clock);
  if (due >= 0) return due;
  return queue.length && queue[0].epoch <= clock + lead ? 0 : -1;
}

/**
 * The epoch clock after ``dt`` ms at ``speed`` epochs/s, starting from the epoch shown. A starved queue must not
 * bank time (the clock never runs more than a quarter second ahead of what is queued), and a long pause between
 * frames (a hidden tab) counts as at most 100 ms.
 * @param {number} clock
 * @param {number} shown epoch of the snapshot on screen
 * @param {number} newest epoch of the newest queued snapshot (or shown when the queue is empty)
 * @param {number} speed epochs per second
 * @param {number} dt ms since the last painted frame
 */
export function advanceClock(clock, shown, newest, speed, dt) {
  const next = Math.max(clock, shown) + (speed * Math.min(dt, 100)) / 1000;
  return Math.min(next, Math.max(newest, shown) + speed * 0.25);
}

/**
 * How many snapshots to ask for: enough to cover ``seconds`` of play at ``speed`` epochs/s when the server makes
 * one snapshot every ``epochsPerSnapshot`` epochs, within [2, 120].
 */
export function snapshotsFor(seconds, speed, epochsPerSnapshot) {
  return Math.min(120, Math.max(2, Math.ceil((seconds * speed) / Math.max(epochsPerSnapshot, 1))));
}

/**
 * The rate at which snapshots arrive, in epochs per second, smoothed over batches: ``epochs`` arrived ``ms``
 * after the previous batch. A server slower than the chosen speed is played at its own pace (a little faster,
 * so the queue drains), evenly, instead of in bursts between empty waits.
 */
export function supplyRate(previous, epochs, ms) {
  if (!(ms > 0) || !(epochs > 0)) return previous;
  const rate = (1000 * epochs) / ms;
  return previous ? 0.7 * previous + 0.3 * rate : rate;
}

/** The speed to play at: the chosen one, or a little above the measured supply when the server cannot keep up. */
export function playSpeed(speed, supply) {
  return supply ? Math.min(speed, Math.max(1, 1.15 * supply)) : speed;
}

/**
 * Which waiting run pictures (Compare) to draw in this painted frame: longest-waiting first (smallest ``since``),
 * and how many at least whatever the frame's time budget: all when ``all`` (not playing), else half, rounded up,
 * so that with a new snapshot every frame each picture still changes at least every other frame.
 * @param {number[]} since when each waiting picture started waiting (a counter)
 * @param {boolean} all
 * @returns {{order: number[], least: number}}
 */
export function pictureTurns(since, all) {
  const order = since.map((_, i) => i).sort((i, j) => since[i] - since[j]);
  return { order: order, least: all ? since.length : Math.ceil(since.length / 2) };
}
