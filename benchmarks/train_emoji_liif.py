"""Fine-tune the official LIIF on emoji (issue #9): two models, both resumable.

* ``rgb`` (Model A, ``--weights emoji``): the RGB LIIF fine-tuned on emoji composited over
  random grey levels, the drop-in enlarger for the solver. The encoder stays frozen (2 CPU
  cores: its features are computed once per sample and cached), the decoding MLP learns.
* ``rgba`` (Model B, ``--method rgba-liif``): 4 channels in and out (premultiplied RGBA),
  started from the exported ``rgb`` model (train and export that first). The encoder's
  first convolution gains an alpha input (initialised to zero, so training starts from the
  RGB model applied to the premultiplied colour) and the MLP's last layer an alpha output
  (initialised to the mean of the RGB rows). The first convolution and the MLP learn; the
  residual body (the official one, as in ``rgb``) stays frozen.

    python -m benchmarks.train_emoji_liif data --samples 3000
    python -m benchmarks.train_emoji_liif train --model rgb --steps 2000    # Ctrl-C and rerun: resumes
    python -m benchmarks.train_emoji_liif export --model rgb                # -> emoji_alpha/liif/trained/

Loss: L1 in the network's range ([-1, 1]), as LIIF trains. Adam, cosine learning rate;
``--restart`` continues a checkpoint with a new cosine cycle (the phases are kept in it).
Checkpoints (every ``--save-every`` steps, atomic) and the loss curves (PNG) go to
``$EMOJI_ALPHA_CACHE/train-emoji/``; the validation loss of the starting weights is the
step-0 point of each curve.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks import emoji_training_data as data
from benchmarks.harness import cache_dir

VALIDATION = 100  # last samples, never trained on
START = {"rgb": "the official weights", "rgba": "the emoji-trained RGB model (emoji-rgb), widened to 4 channels",
         "fast": "latent net warm-started from the emoji-rgb MLP's first two layers; render net random"}
TRAINED = {"rgb": "MLP", "rgba": "first convolution + MLP", "fast": "latent and render nets (encoder frozen)"}
#: Models whose (frozen) encoder sees RGB composites over a grey level, so features are cached.
RGB_INPUT = ("rgb", "fast")


def default_work_dir() -> Path:
    return cache_dir() / "train-emoji"


def validation_count(total: int) -> int:
    return min(VALIDATION, max(1, total // 5))


# --------------------------------------------------------------------------------------------
# models


def build_model(kind: str):
    """The model to fine-tune, initialised as :data:`START` says, and its trainable
    parameters."""
    from emoji_alpha.liif.trained import widen_to_rgba
    from emoji_alpha.liif.weights import load_model, resolve

    if kind == "rgba":  # starts from the emoji-trained RGB model (export it first), widened
        model = widen_to_rgba(load_model(resolve("emoji", log=print)))
        trainable = list(model.encoder.head.parameters()) + list(model.imnet.parameters())
    elif kind == "fast":
        model = build_fast(load_model(resolve("emoji", log=print)))
        trainable = list(model.latent.parameters()) + list(model.render.parameters())
    else:
        model = load_model(resolve("official", log=print))
        trainable = list(model.imnet.parameters())
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for parameter in trainable:
        parameter.requires_grad_(True)
    return model.train(), trainable


def build_fast(liif):
    """The fast decoder (``lmf``) on LIIF's encoder, its latent net warm-started from the LIIF
    MLP: the first layer's feature and cell parts become the 3x3 conv and the cell term, the
    second layer the first 1x1 conv (the coordinate part has no per-cell counterpart)."""
    from emoji_alpha.liif import models
    from emoji_alpha.liif.trained import fast_spec

    spec = fast_spec(liif.spec)
    model = models.make(spec)
    model.spec = spec
    model.encoder.load_state_dict(liif.encoder.state_dict())
    first, second = liif.imnet.linears[:2]
    channels, feat_dim = liif.encoder.out_dim, liif.feat_dim
    with torch.no_grad():
        model.latent.first.weight.copy_(first.weight[:, :feat_dim].reshape(-1, channels, 3, 3))
        model.latent.first.bias.copy_(first.bias)
        model.latent.cell.weight.copy_(first.weight[:, feat_dim + 2:])
        model.latent.hidden[0].weight.copy_(second.weight[:, :, None, None])
        model.latent.hidden[0].bias.copy_(second.bias)
    return model


def trainable_state(model) -> dict:
    """The parameters being trained (what a checkpoint and the shipped delta hold)."""
    names = {name for name, parameter in model.named_parameters() if parameter.requires_grad}
    return {k: v.detach().clone() for k, v in model.state_dict().items() if k in names}


# --------------------------------------------------------------------------------------------
# batches


class Batches:
    """Inputs and targets of the training samples in the network's range."""

    def __init__(self, samples: dict[str, np.ndarray], kind: str, model, cache: Path | None = None) -> None:
        self.kind = kind
        lr = samples["lr"].astype(np.float32)  # N x 48 x 48 x 4 premultiplied
        targets = samples["targets"].astype(np.float32)  # N x Q x 4
        if kind in RGB_INPUT:
            grey = samples["grey"].astype(np.float32)
            images = lr[..., :3] + (1 - lr[..., 3:]) * grey[:, None, None, None]
            targets = targets[..., :3] + (1 - targets[..., 3:]) * grey[:, None, None]
        else:
            images = lr
        self.images = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))) * 2 - 1
        self.targets = torch.from_numpy(targets) * 2 - 1
        self.coords = torch.from_numpy(samples["coords"])
        self.cells = torch.from_numpy(samples["cell"])
        self.features = None
        if kind in RGB_INPUT:  # frozen encoder: encode every sample once (channels-last: faster on CPU)
            self.features = self._cached_features(model, cache) if cache else self._encode(model)

    def _encode(self, model) -> torch.Tensor:
        encoder = model.encoder.to(memory_format=torch.channels_last)
        with torch.inference_mode():
            feats = [encoder(self.images[i:i + 64].contiguous(memory_format=torch.channels_last)).half()
                     for i in range(0, len(self.images), 64)]
        return torch.cat(feats).contiguous()

    def _cached_features(self, model, cache: Path) -> torch.Tensor:
        """The frozen encoder's features, kept beside the checkpoints (10 minutes of CPU to
        recompute), keyed by the encoder's weights and the inputs."""
        import hashlib

        digest = hashlib.sha256()
        for value in model.encoder.state_dict().values():
            digest.update(value.detach().cpu().numpy().tobytes())
        digest.update(self.images.numpy().tobytes())
        path = cache / f"features-{digest.hexdigest()[:16]}.pt"
        if path.exists():
            return torch.load(path)
        features = self._encode(model)
        tmp = path.with_suffix(".tmp")
        torch.save(features, tmp)
        os.replace(tmp, path)
        return features

    def __len__(self) -> int:
        return len(self.targets)

    def get(self, index, queries: int | None, rng: np.random.Generator):
        index = torch.as_tensor(index)
        coords, targets = self.coords[index], self.targets[index]
        if queries is not None and queries < coords.shape[1]:
            pick = torch.from_numpy(rng.integers(0, coords.shape[1], size=(len(index), queries)))
            coords = torch.gather(coords, 1, pick[..., None].expand(-1, -1, 2))
            targets = torch.gather(targets, 1, pick[..., None].expand(-1, -1, targets.shape[-1]))
        cells = self.cells[index][:, None, None].expand(-1, coords.shape[1], 2)
        source = self.features[index].float() if self.features is not None else self.images[index]
        return source, coords, cells, targets


def predict(model, batch, kind: str):
    source, coords, cells, _ = batch
    feat = source if kind in RGB_INPUT else model.encode(source)
    return model.query_reference(feat, coords, cells)


def validation_loss(model, batches: Batches, kind: str, rng) -> float:
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(len(batches) - validation_count(len(batches)), len(batches), 10):
            index = np.arange(start, min(start + 10, len(batches)))
            batch = batches.get(index, None, rng)
            batch = (batch[0], batch[1][:, ::3], batch[2][:, ::3], batch[3][:, ::3])  # 768 fixed pixels each
            total += float((predict(model, batch, kind) - batch[3]).abs().mean()) * len(index)
            count += len(index)
    return total / count


# --------------------------------------------------------------------------------------------
# training


def train(args) -> int:
    from emoji_alpha.progress import progress_bar

    folder = args.work
    shards = sorted((folder / "data").glob("shard-*.npz"))
    if not shards:
        raise SystemExit("no training data: run `python -m benchmarks.train_emoji_liif data` first")
    samples = data.load(shards)
    model, trainable = build_model(args.model)
    torch.manual_seed(0)
    batches = Batches(samples, args.model, model, cache=folder)
    optimizer = torch.optim.Adam(trainable, lr=args.lr)
    checkpoint_path = folder / f"{args.model}.ckpt"
    state = {"step": 0, "history": [], "val": [], "phases": []}
    if checkpoint_path.exists():
        saved = torch.load(checkpoint_path, weights_only=False)
        model.load_state_dict(saved["trainable"], strict=False)
        optimizer.load_state_dict(saved["optimizer"])
        state = {k: saved.get(k, []) for k in state} | {"step": saved["step"]}
        if not state["phases"]:  # checkpoints from before phases were recorded
            state["phases"] = [schedule_phase(0, saved["args"])]
        print(f"resuming {args.model} at step {state['step']}")
    state["phases"] = plan_phases(state["phases"] or [schedule_phase(0, args)], state["step"], args)
    rng = np.random.default_rng([data.SEED, state["step"]])
    if not state["val"]:
        state["val"].append((0, validation_loss(model.eval(), batches, args.model, rng)))
        model.train()
    train_count = len(batches) - validation_count(len(batches))
    started = time.perf_counter()
    with progress_bar(f"train {args.model}", args.steps) as advance:
        advance(state["step"])
        while state["step"] < args.steps:
            step = state["step"]
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(state["phases"][-1], step)
            batch = batches.get(rng.integers(0, train_count, size=args.batch), args.queries, rng)
            loss = (predict(model, batch, args.model) - batch[3]).abs().mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            state["history"].append((step + 1, loss.item()))
            state["step"] = step + 1
            advance(1)
            last = state["step"] == args.steps
            if state["step"] % args.eval_every == 0 or last:
                state["val"].append((state["step"], validation_loss(model.eval(), batches, args.model, rng)))
                model.train()
            if state["step"] % args.save_every == 0 or last:
                save_checkpoint(checkpoint_path, model, optimizer, state, args)
                draw_curves(folder / f"{args.model}-loss.png", state, args.model)
    print(f"{args.model}: step {state['step']}, validation L1 {state['val'][0][1]:.5f} (start) -> "
          f"{state['val'][-1][1]:.5f}; {time.perf_counter() - started:.0f} s this run")
    return 0


def schedule_phase(start: int, args) -> dict:
    """One cosine cycle of the learning rate: steps ``start`` to ``steps``, peak ``lr``."""
    args = args if isinstance(args, dict) else vars(args)
    return {"start": start, "end": args["steps"], "lr": args["lr"], "warmup": args.get("warmup") or 0}


def plan_phases(phases: list[dict], step: int, args) -> list[dict]:
    """The schedule after this call's flags: ``--restart`` starts a new cosine cycle at ``step``
    (warm restart: weights and Adam state kept); otherwise ``--steps`` moves the current cycle's end."""
    wanted = schedule_phase(phases[-1]["start"], args)
    if args.restart and step > 0 and wanted != {k: phases[-1][k] for k in wanted}:  # rerun of a restart: resume it
        if args.steps <= step:
            raise SystemExit(f"--restart needs --steps beyond the checkpoint's step {step}")
        return [*phases[:-1], phases[-1] | {"stopped": step}, schedule_phase(step, args)]
    return [*phases[:-1], phases[-1] | {"end": args.steps}]


def learning_rate(phase: dict, step: int) -> float:
    """Linear warm-up over the phase's first ``warmup`` steps, then cosine from lr to lr/10 at its end."""
    into = step - phase["start"]
    warm = min(1.0, (into + 1) / phase["warmup"]) if phase["warmup"] else 1.0
    progress = into / max(1, phase["end"] - phase["start"])
    return warm * phase["lr"] * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(path: Path, model, optimizer, state: dict, args) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"trainable": trainable_state(model), "optimizer": optimizer.state_dict(),
                "args": vars(args) | {"func": None}, **state}, tmp)
    os.replace(tmp, path)


def draw_curves(path: Path, state: dict, kind: str) -> None:
    """Training loss (running mean of 50 steps) and validation loss against steps, as a PNG."""
    from PIL import Image, ImageDraw

    width, height, pad = 800, 400, 50
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    steps = np.array([s for s, _ in state["history"]] or [1], float)
    losses = np.array([v for _, v in state["history"]] or [0.0])
    smooth = np.convolve(losses, np.ones(50) / 50, mode="valid") if len(losses) >= 50 else losses
    val = np.array(state["val"], float)
    top = max(float(smooth.max()), float(val[:, 1].max())) * 1.1
    bottom = min(float(smooth.min()), float(val[:, 1].min())) * 0.9
    last = max(float(steps[-1]), 1.0)

    def xy(step: float, value: float) -> tuple[float, float]:
        return (pad + (width - 2 * pad) * step / last,
                height - pad - (height - 2 * pad) * (value - bottom) / max(top - bottom, 1e-9))

    draw.rectangle([pad, pad, width - pad, height - pad], outline="black")
    curve = [xy(s, v) for s, v in zip(steps[len(steps) - len(smooth):], smooth)]
    if len(curve) > 1:
        draw.line(curve, fill=(40, 90, 200), width=2)
    points = [xy(s, v) for s, v in val]
    draw.line(points, fill=(220, 60, 30), width=2) if len(points) > 1 else None
    for x, y in points:
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(220, 60, 30))
    draw.text((pad, 15), f"{kind}: train L1 (blue, mean of 50 steps), validation L1 (red; step 0 = {START[kind]})",
              fill="black")
    draw.text((pad, height - pad + 10), f"0 .. {int(last)} steps;  L1 {bottom:.4f} .. {top:.4f}", fill="black")
    tmp = path.with_suffix(".tmp.png")
    image.save(tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# export


def export(args) -> int:
    from emoji_alpha.liif.trained import TRAINED_DIR, write_trained

    args.into = args.into or TRAINED_DIR

    folder = args.work
    saved = torch.load(folder / f"{args.model}.ckpt", weights_only=False)
    samples = data.load(sorted((folder / "data").glob("shard-*.npz")))
    counts: dict[str, int] = {}
    validation = validation_count(len(samples["lr"]))
    for source in samples["source"][:-validation]:
        counts[str(source).split(":")[0]] = counts.get(str(source).split(":")[0], 0) + 1
    recipe = {
        "base": "edsr-baseline-liif (official, DIV2K)",
        "trained": TRAINED[args.model], **({"model": "lmf"} if args.model == "fast" else {}),
        "input": "emoji over a random grey level (RGB)" if args.model in RGB_INPUT else "premultiplied RGBA",
        "start": START[args.model], "steps": saved["step"], "batch": saved["args"]["batch"],
        "queries": saved["args"]["queries"],
        "lr": saved["args"]["lr"], "schedule": describe_schedule(saved.get("phases") or [schedule_phase(0, saved["args"])]),
        "loss": "L1",
        "samples": int(len(samples["lr"]) - validation), "samples_by_set": counts,
        "patch": data.PATCH, "scales": "uniform 2..16", "validation_l1_start": saved["val"][0][1],
        "validation_l1": saved["val"][-1][1], "data_script": "benchmarks/emoji_training_data.py",
        "excluded": "every glyph of benchmarks/glyphs.txt (the quality benchmark)",
    }
    path = write_trained(args.model, saved["trainable"], recipe, data.LICENCES, folder=args.into)
    print(f"wrote {path}")
    return 0


def describe_schedule(phases: list[dict]) -> str:
    """The learning-rate schedule in words, one clause per cosine cycle."""
    def one(phase: dict) -> str:
        text = f"steps {phase['start']}-{phase['end']}: cosine from {phase['lr']:g} to {phase['lr'] / 10:g}"
        text += f" after {phase['warmup']} warm-up steps" if phase["warmup"] else ""
        return text + (f" (stopped at {phase['stopped']})" if "stopped" in phase else "")
    return "; then warm restart, ".join(one(phase) for phase in phases)


def build_data(args) -> int:
    from emoji_alpha.progress import progress_bar

    count = (args.samples + data.SHARD - 1) // data.SHARD
    with progress_bar("render training pairs", count) as advance:
        data.build(args.work / "data", args.samples, jobs=args.jobs, progress=advance)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("data", help="render training pairs (resumable)")
    p.add_argument("--samples", type=int, default=3000)
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=build_data)
    p = sub.add_parser("train", help="fine-tune (resumable)")
    p.add_argument("--model", choices=("rgb", "rgba", "fast"), required=True)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--queries", type=int, default=512, help="HR pixels per sample and step")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=0, help="steps of linear learning-rate warm-up")
    p.add_argument("--restart", action="store_true",
                   help="resume with a new cosine cycle from the checkpoint's step to --steps (peak --lr)")
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--save-every", type=int, default=50)
    p.set_defaults(func=train)
    p = sub.add_parser("export", help="write the trained weights into the package")
    p.add_argument("--model", choices=("rgb", "rgba", "fast"), required=True)
    p.add_argument("--into", type=Path, default=None, help="folder (default: the package's emoji_alpha/liif/trained)")
    p.set_defaults(func=export)
    for p in sub.choices.values():
        p.add_argument("--work", type=Path, default=default_work_dir(), help="data, checkpoints and curves")
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
