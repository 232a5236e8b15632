"""The `chatdit` command: the chat UI with no arguments, scripted sessions and session tools otherwise.

Kept thin: every command is a few lines over Session, and nothing heavy is imported before a
command needs it, so `chatdit --help` and `chatdit sessions` answer at once. Every failure is one
line on stderr and an exit code by kind: usage 2, input 3, model or device 4, network 5,
interrupted 130 (a bug: 1, its traceback in the chatdit home's logs/cli.log).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chatdit.errors import ChatditError, UsageError

if TYPE_CHECKING:
    from chatdit.schema import ConsentRequest
    from chatdit.session import Session


def main(argv: Sequence[str] | None = None) -> int:
    from chatdit.dit.hub import quiet_library_logs

    quiet_library_logs()
    parser = build_parser()
    # train-nano hands every option on to the training script (argparse.REMAINDER drops options
    # that come first, so `chatdit train-nano --help` failed); other commands take no extras.
    args, extra = parser.parse_known_args(argv)
    if args.handler is cmd_train_nano:
        args.rest = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.handler(args) or 0
    except ChatditError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cancelled; finished turns are saved", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line here, the traceback in the log
        log = log_traceback(exc)
        print(f"error: chatdit failed unexpectedly ({exc.__class__.__name__}: {one_line(str(exc))[:200]}); "
              f"this is a bug, the details are in {log}", file=sys.stderr)
        return 1


def one_line(text: str) -> str:
    return " ".join(text.split())


def log_traceback(exc: BaseException) -> str:
    """Append the traceback to <chatdit home>/logs/cli.log; its path, or 'nowhere' if that fails."""
    import traceback

    from chatdit.config import chatdit_home
    from chatdit.redact import redact

    path = chatdit_home() / "logs" / "cli.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="replace") as log:
            log.write(redact("".join(traceback.format_exception(exc))) + "\n")
    except OSError:
        return "nowhere (the log could not be written)"
    return str(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatdit", description="Chat with diffusion-transformer image models.")
    parser.add_argument("--session", type=Path, help="open this session folder in the chat UI")
    parser.set_defaults(handler=cmd_tui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run a scripted session (YAML: settings and a list of messages)")
    run.add_argument("script", type=Path)
    run.add_argument("--session", type=Path, help="session folder (default: the script's, or a new one)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a setting, e.g. --set model=tiny (repeatable)")
    run.add_argument("--quiet", action="store_true", help="print only where the outputs are")
    run.set_defaults(handler=cmd_run)

    add_batch_parser(commands)

    chat = commands.add_parser("chat", help="send one message to a session (created if missing)")
    chat.add_argument("session", type=Path)
    chat.add_argument("message")
    chat.add_argument("--image", action="append", default=[], type=Path, help="attach an image (repeatable)")
    chat.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    chat.set_defaults(handler=cmd_chat)

    sessions = commands.add_parser("sessions", help="list sessions in the chatdit home")
    sessions.set_defaults(handler=cmd_sessions)

    history = commands.add_parser("history", help="show a session's turns")
    history.add_argument("session", type=Path)
    history.set_defaults(handler=cmd_history)

    export = commands.add_parser("export", help="export a session's book as .pdf, .html, .gif or .mp4")
    export.add_argument("session", type=Path)
    export.add_argument("path", type=Path, nargs="?",
                        help="where to write it (relative to the current folder); default <session>/exports/<title>.pdf")
    export.add_argument("--size", dest="page_size", choices=["a4", "letter", "square"], help="PDF page size (square: 8.5 in)")
    export.add_argument("--layout", choices=["under", "over", "facing"], help="page text under, over or facing the picture")
    export.add_argument("--bleed", action="store_true", default=None, help="1/8 in bleed on every side, for a print shop")
    export.add_argument("--author", help="the author printed on the cover")
    export.set_defaults(handler=cmd_export)

    resume = commands.add_parser("resume", help="finish a turn that a crash interrupted")
    resume.add_argument("session", type=Path)
    resume.set_defaults(handler=cmd_resume)

    doctor = commands.add_parser("doctor", help="check a session folder and offer repairs (asks before changing anything)")
    doctor.add_argument("session", type=Path)
    doctor.add_argument("--yes", action="store_true", help="answer yes to every repair offered (never to deleting files)")
    doctor.set_defaults(handler=cmd_doctor)

    add_credential_parsers(commands)
    train = commands.add_parser("train-nano", help="train the embedded nano model (see python -m chatdit.nano_training --help)",
                                add_help=False)
    train.set_defaults(handler=cmd_train_nano)
    return parser


def add_credential_parsers(commands) -> None:
    """keys, verify and protect: content credentials and photo protection."""
    keys = commands.add_parser("keys", help="the key that signs content credentials: `chatdit keys init --name NAME`")
    keys.add_argument("action", choices=["init", "show"])
    keys.add_argument("--name", default="", help="the signer's name on the certificate (init)")
    keys.add_argument("--force", action="store_true", help="replace existing keys (init)")
    keys.set_defaults(handler=cmd_keys)

    verify = commands.add_parser("verify", help="read and check the content credentials (C2PA) of files")
    verify.add_argument("files", type=Path, nargs="+")
    verify.set_defaults(handler=cmd_verify)

    protect = commands.add_parser("protect", help="write a copy of a photo that our edit path draws less from (opt-in)")
    protect.add_argument("source", type=Path)
    protect.add_argument("target", type=Path, help="the protected copy (.png)")
    protect.add_argument("--steps", type=int, default=40, help="PGD steps (default 40)")
    protect.add_argument("--epsilon", type=int, default=4, help="largest change of a pixel, levels of 255 (default 4)")
    protect.add_argument("--method", choices=["grounded", "encoder", "departure"], default="grounded",
                         help="what the perturbation attacks (see chatdit/protect.py; default grounded)")
    protect.add_argument("--norm", choices=["linf", "l2"], default="linf",
                         help="linf: every pixel within --epsilon; l2: the change's energy at PSNR 35.5 dB")
    protect.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    protect.set_defaults(handler=cmd_protect)


def add_batch_parser(commands) -> None:
    batch = commands.add_parser("batch", help="run many scripted sessions, on Ray workers or one after another")
    batch.add_argument("scripts", type=Path, nargs="+", metavar="SCRIPT", help="YAML scripts, as for `chatdit run`")
    batch.add_argument("--sessions", type=Path, metavar="DIR",
                       help="where the session folders go, one per script named after it (default: the chatdit home's sessions/)")
    batch.add_argument("--ray", dest="ray_address", metavar="ADDRESS|auto|local",
                       help="run on Ray: local starts one on this machine; without it, one after another here")
    batch.add_argument("--gpus-per-job", type=float, default=0, metavar="N", help="GPUs each worker holds (default 0: CPU)")
    batch.add_argument("--max-parallel", type=int, metavar="K", help="at most K workers (default: as many as Ray holds)")
    batch.add_argument("--resume", action="store_true",
                       help="skip sessions that finished; finish cut-off ones from their checkpoint")
    batch.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a setting in every script (repeatable)")
    batch.add_argument("--quiet", action="store_true", help="no progress bars; only the summary")
    batch.set_defaults(handler=cmd_batch)


def parse_overrides(pairs: list[str]) -> dict[str, object]:
    """`key=value` strings to settings, with YAML scalars (true, 3, 0.5) typed; tags, lists and
    mappings are refused (a setting is one value)."""
    import yaml

    from chatdit.safe_yaml import YamlLimitError, load_bounded

    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set needs KEY=VALUE, got {pair!r}")
        text = value.strip()
        if text.startswith(("!", "&", "*")):
            raise UsageError(f"--set {key.strip()}={text[:40]!r}: YAML tags and anchors are not read here; give a plain value")
        try:
            typed = load_bounded(text) if text else ""
        except (yaml.YAMLError, YamlLimitError):
            typed = value  # not YAML: the text as given
        if not (typed is None or isinstance(typed, str | int | float | bool)):
            raise UsageError(f"--set {key.strip()}=... takes one plain value (text, a number, true or false), "
                             f"not a {type(typed).__name__}")
        overrides[key.strip()] = typed
    return overrides


def cmd_tui(args: argparse.Namespace) -> int:
    from chatdit.tui.app import run_app

    run_app(args.session)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from chatdit.script import run_script

    run_script(args.script, session_path=args.session, overrides=parse_overrides(args.overrides), quiet=args.quiet,
               on_open=interrupt_cancels)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from chatdit import batch
    from chatdit.batches.summary import format_table

    results = batch(args.scripts, ray_address=args.ray_address, sessions=args.sessions, gpus_per_job=args.gpus_per_job,
                    max_parallel=args.max_parallel, resume=args.resume, overrides=parse_overrides(args.overrides),
                    quiet=args.quiet)
    print(format_table(results))
    unfinished = [r for r in results if r.status != "done"]
    if unfinished:
        print(f"{len(unfinished)} of {len(results)} sessions did not finish; run the same command with --resume",
              file=sys.stderr)
    return 1 if unfinished else 0


def cmd_chat(args: argparse.Namespace) -> int:
    from chatdit.progress import ConsoleProgress
    from chatdit.session import Session
    from chatdit.store import SessionStore

    overrides = parse_overrides(args.overrides)
    if SessionStore(args.session).exists():
        session = Session.open(args.session)
        if overrides:
            session.configure(**overrides)
    else:
        session = Session.create(args.session, **overrides)
    with session:
        interrupt_cancels(session)
        turn = session.chat(args.message, images=args.image, on_event=ConsoleProgress(),
                            consent=ask_consent if sys.stdin.isatty() else None)
        print(turn.reply)
        reordered = turn.instruction and turn.instruction.book_op and not turn.assets  # the book in its new order
        shown = session.book().items() if reordered else [(asset.page, asset) for asset in turn.assets]
        for page, asset in shown:
            print(f"  {'page ' + str(page) if page else asset.kind}: {session.asset_path(asset)}")
    return 0


def ask_consent(request: ConsentRequest) -> str:
    """Asked on the terminal before a face swap whose message did not state consent; the typed
    answer counts as consent only when it is an unambiguous yes."""
    return input(f"{request.question()} [y/N] ")


def cmd_sessions(args: argparse.Namespace) -> int:
    from chatdit.sessions import list_sessions

    found = list_sessions()
    if not found:
        print("no sessions yet; start one with `chatdit` or `chatdit run script.yaml`")
    for summary in found:
        print(f"{summary.updated_at:%Y-%m-%d %H:%M}  {summary.turns:3d} turns  {summary.title}  ({summary.path})")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from chatdit.session import Session

    with Session.open(args.session) as session:
        session.pages()  # a damaged checkpoint database is said here, not at the next export
        on_branch = {turn.id for turn in session.history()}
        for turn in session.turns():
            mark = "*" if turn.id in on_branch else " "
            print(f"{mark} {turn.id}  {turn.status:9s}  {turn.message[:60]!r}  -> {turn.reply[:80]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from chatdit.book.title import book_file_name
    from chatdit.session import Session

    with Session.open(args.session) as session:
        target = args.path.expanduser().resolve() if args.path else book_file_name(session.title)
        options = {k: v for k in ("page_size", "layout", "bleed", "author") if (v := getattr(args, k)) is not None}
        print(session.export(target, **options))
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from chatdit.progress import ConsoleProgress
    from chatdit.session import Session

    with Session.open(args.session) as session:
        interrupt_cancels(session)
        turn = session.resume(on_event=ConsoleProgress())
        print(turn.reply)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from chatdit.doctor import examine, run_doctor

    def ask(question: str) -> bool:
        deleting = question.lstrip().startswith("delete")
        if args.yes and not deleting:
            print(f"{question} yes (--yes)")
            return True
        if not sys.stdin.isatty():
            print(f"{question} not asked (no terminal); run `chatdit doctor` in a terminal to answer")
            return False
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

    left = run_doctor(args.session, ask)
    if left:
        print(f"{left} problem(s) left", file=sys.stderr)
    return 3 if left and examine(args.session) else 0


def interrupt_cancels(session: Session) -> None:
    """Ctrl-C cancels the running turn at its next step, which records it as cancelled and leaves
    no picture behind unrecorded; a second Ctrl-C stops at once."""
    import signal

    def cancel(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("\ncancelling at the next step (Ctrl-C again to stop at once)", file=sys.stderr)
        session.cancel()

    signal.signal(signal.SIGINT, cancel)
def cmd_keys(args: argparse.Namespace) -> int:
    from chatdit.provenance.keys import init_keys, load_keys

    keys = init_keys(args.name, force=args.force) if args.action == "init" else load_keys()
    print(f"signer: {keys.name}\nkeys: {keys.folder} (signer.key, signer-chain.pem; ca.pem is the anchor verify trusts)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every file's credentials hold, 1 when any file has none or a broken one."""
    from chatdit.provenance.verify import verify_file

    results = [verify_file(path) for path in args.files]
    for result in results:
        print("\n".join(result.lines()))
    return 0 if all(result.ok for result in results) else 1


def cmd_protect(args: argparse.Namespace) -> int:
    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub
    from chatdit.protect import protect_file, protect_settings

    options = protect_settings(steps=args.steps, epsilon=args.epsilon, method=args.method, norm=args.norm)
    hub = ModelHub(load_settings(**parse_overrides(args.overrides)))
    print(protect_file(hub.fill(), args.source, args.target, options, hub).summary())
    return 0


def cmd_train_nano(args: argparse.Namespace) -> int:
    from chatdit.nano_training.cli import main as train_main

    return train_main(args.rest) or 0


if __name__ == "__main__":
    raise SystemExit(main())
