"""The server's cost of a live Playground snapshot against the training it shows, in one process (issue 17).

At the default speed the server trains 100 epochs a second and sends one snapshot per epoch
(``playground.live.playground.frame``: epoch, counters, new curve points and every parameter), JSON-encoded as the
live view's payload is. The ratio says how much the snapshots add to the training: the server's CPU per painted
frame (target ≤ 5 ms) is mostly the epochs behind each frame, so it falls as the browser paints more frames per second.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from benchmarks.measure import Row, interleaved, median

AREA = "snapshot"
CASE_QUERY = "ds=xor&hidden=8:tanh,8:tanh&bs=10&lr=0.03&opt=sgd&n=500&test=0.5&epochs=5000"  # the side-by-side case


def _run():
    from core.experiment.run import prepare_data
    from playground import urlstate
    from playground.live import playground as live

    config, _ = urlstate.config_from_query(parse_qs(CASE_QUERY), urlstate.default_config())
    run = live.new_run(config, prepare_data(config), 1)
    run.playing = True
    return run


def rows(quick: bool = False) -> list[Row]:
    from playground.live import playground as live

    run = _run()
    epochs = 20 if quick else 60

    def train():
        for _ in range(epochs):
            run.trainer.train_epoch()

    def snapshots():  # one batch's worth, encoded together as the component's payload is
        json.dumps([live.frame(run) for _ in range(epochs)])

    seconds = interleaved({"train": train, "snapshots": snapshots}, 5 if quick else 9)
    ratio = median([s / t for t, s in zip(seconds["train"], seconds["snapshots"], strict=True)])
    epoch_ms, snap_ms = (1e3 * median(seconds[k]) / epochs for k in ("train", "snapshots"))
    return [
        Row(
            AREA,
            "XOR, 2-8-8-1 tanh, batch 10, 250 training points: a live snapshot (frame + JSON) per epoch trained",
            ours=f"{snap_ms:.3f} ms per snapshot",
            baseline=f"an epoch of training: {epoch_ms:.2f} ms",
            ratio=ratio,
            ratio_text=f"{ratio:.1%} of an epoch's time",
            note="the server's share per painted frame beyond training; a fragment rerun adds ~10-15 ms per request",
            values={"epochs": epochs, "train_seconds": seconds["train"], "snapshot_seconds": seconds["snapshots"]},
        )
    ]
