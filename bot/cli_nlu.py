"""`shopbot nlu`: train, evaluate, parse and serve the NLU model (Rasa-format data)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

nlu_app = typer.Typer(help="Train, evaluate and serve the NLU model.", no_args_is_help=True)


def _defaults() -> tuple[Path, float, Path]:
    from bot.settings import Settings

    s = Settings()
    return s.nlu_model_dir, s.nlu_fallback_threshold, s.data_dir / "training"


def _bar_progress():  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def report(language: str, done: int, total: int) -> None:
        bar = bars.get(language)
        if bar is None:
            bar = bars[language] = tqdm(total=total, desc=f"train {language}", unit="epoch",
                                        position=len(bars), leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    def close() -> None:
        for b in bars.values():
            b.close()

    return report, close


@nlu_app.command("train")
def train_cmd(
    data: Annotated[list[Path] | None, typer.Option("--data", help="Rasa NLU files or directories (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="model directory (default: NLU_MODEL_DIR)")] = None,
    sequential: Annotated[bool, typer.Option(help="train the languages one after the other")] = False,
    profile: Annotated[str, typer.Option("--profile", help="config set: shop (default) or general "
                                         "(public sets: dictionary features, entity-aware intents)")] = "shop",
) -> None:
    """Train on Rasa-format NLU data; prints a progress bar per language."""
    from nlu.errors import NluDataError
    from nlu.model_store import train_into

    model_dir, _thr, train_dir = _defaults()
    paths = list(data) if data else [train_dir]
    report, close = _bar_progress()
    try:
        meta = train_into(paths, out or model_dir, report, parallel=not sequential, profile=profile)
    except NluDataError as exc:
        close()
        typer.echo(f"invalid training data: {exc}", err=True)
        raise typer.Exit(2) from exc
    close()
    typer.echo(f"trained {', '.join(meta['languages'])} in {meta['train_seconds']} s: "
               f"{len(meta['intents'])} intents, {len(meta['entities'])} entity types -> {out or model_dir}")


@nlu_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[list[Path], typer.Option("--data", help="Rasa-format test file(s)")],
    model: Annotated[Path | None, typer.Option("--model", help="model directory (default: NLU_MODEL_DIR)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the full JSON report here")] = None,
) -> None:
    """Intent accuracy, per-intent P/R/F1, confusions, entity P/R/F1 on spans and on values."""
    from nlu.errors import NluError
    from nlu.evaluate import evaluate, load_examples
    from nlu.parser import load_parser

    model_dir, _thr, _train = _defaults()
    try:
        parser = load_parser(model or model_dir, 0.0)
        examples = load_examples(list(data))
    except NluError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    result = evaluate(parser, examples, parser.normaliser)
    ents = result["entities"]
    typer.echo(f"examples: {result['examples']}")
    typer.echo(f"intent accuracy: {result['intent']['accuracy']:.4f}")
    for name, s in result["intent"]["per_intent"].items():
        typer.echo(f"  {name:22s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  n={s['support']}")
    for c in result["intent"]["confusion"][:10]:
        typer.echo(f"  confused {c['true']} -> {c['predicted']}: {c['count']}")
    for kind in ("spans", "values"):
        m = ents[kind]["micro"]
        typer.echo(f"entity F1 on {kind}: {m['f1']:.4f} (P {m['precision']:.3f} R {m['recall']:.3f})")
        for name, s in ents[kind]["per_type"].items():
            typer.echo(f"  {name:16s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  n={s['support']}")
    if report:
        report.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        typer.echo(f"report written to {report}")


@nlu_app.command("parse")
def parse_cmd(
    text: Annotated[str, typer.Argument(help="the message")],
    model: Annotated[Path | None, typer.Option("--model", help="model directory (default: NLU_MODEL_DIR)")] = None,
) -> None:
    """Parse one message and print the Rasa-shaped JSON."""
    from nlu.errors import ModelError
    from nlu.parser import load_parser

    model_dir, threshold, _train = _defaults()
    try:
        parser = load_parser(model or model_dir, threshold)
    except ModelError as exc:
        typer.echo(f"{exc}\n(train one with: shopbot nlu train)", err=True)
        raise typer.Exit(2) from exc
    json.dump(parser.parse(text).to_rasa(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


@nlu_app.command("serve")
def serve_cmd(
    model: Annotated[Path | None, typer.Option("--model", help="model directory (default: NLU_MODEL_DIR)")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 5005,
    workers: Annotated[int, typer.Option("--workers", min=1, help="server processes sharing the port")] = 1,
) -> None:
    """A drop-in Rasa NLU server: only `POST /model/parse`."""
    import os

    import uvicorn

    from nlu.errors import ModelError
    from nlu.parser import load_parser

    model_dir, threshold, _train = _defaults()
    if workers > 1:
        # Several processes: each loads the model itself (the factory reads where from the environment).
        if not ((model or model_dir) / "meta.json").is_file():
            typer.echo(f"{model or model_dir}: no trained model\n(train one with: shopbot nlu train)", err=True)
            raise typer.Exit(2)
        os.environ["SHOPBOT_NLU_SERVE_MODEL"] = str(model or model_dir)
        os.environ["SHOPBOT_NLU_SERVE_THRESHOLD"] = str(threshold)
        uvicorn.run("bot.cli_nlu:nlu_app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    try:
        parser = load_parser(model or model_dir, threshold)
    except ModelError as exc:
        typer.echo(f"{exc}\n(train one with: shopbot nlu train)", err=True)
        raise typer.Exit(2) from exc
    uvicorn.run(build_nlu_app(parser), host=host, port=port, log_level="warning")


def nlu_app_from_env():  # type: ignore[no-untyped-def]
    """The NLU app of one worker process of `shopbot nlu serve --workers N`."""
    import os

    from nlu.parser import load_parser

    parser = load_parser(Path(os.environ["SHOPBOT_NLU_SERVE_MODEL"]),
                         float(os.environ["SHOPBOT_NLU_SERVE_THRESHOLD"]))
    return build_nlu_app(parser)


def build_nlu_app(parser):  # type: ignore[no-untyped-def]
    """The standalone NLU ASGI app (used by `serve` and by the benchmark): bare ASGI, one route."""
    from bot.body_limit import BodySizeLimit
    from bot.routes.nlu import parse_asgi_app

    return BodySizeLimit(parse_asgi_app(parser))
