"""``ragtune history``: past chats, one chat's messages with their marks, and marking an answer
right or wrong (issue 20: marked answers become the library's set "From my chats").

    ragtune history [--library NAME] [--limit N]
    ragtune history --show CHAT_ID
    ragtune history mark MESSAGE_ID right|wrong|none [--answer TEXT] [--file F [--page N] | --absent]

The rules of a mark live in ``core.marks``; this module turns arguments into one service call and
the outcome into lines.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ragtune.core.library_names import library_name
from ragtune.core.locations import locator
from ragtune.core.terminal_text import for_terminal, one_line

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune

MARK_HINT = "Mark an answer: ragtune history mark MESSAGE_ID right|wrong [--answer TEXT] [--file F --page N | --absent]"


def cmd_history(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.action == "mark":
        return _mark(svc, args)
    if args.show is not None:
        return _show(svc, args.show)
    shown = 0
    counts = svc.evaluation.marked_per_chat()
    for chat in svc.chats.list_chats()[: args.limit]:
        if args.library and chat.library != library_name(args.library):
            continue
        marked = f"  {counts[chat.id]} marked" if counts.get(chat.id) else ""
        print(f"{chat.id:5d}  {one_line(chat.title)}  [{one_line(chat.library or 'no library')}]{marked}")
        shown += 1
    if not shown:
        print("No history yet.")
    return 0


def _show(svc: Ragtune, chat_id: int) -> int:
    messages = svc.chats.messages(chat_id)
    marks = svc.evaluation.marks_of([m.id for m in messages if m.role == "assistant"])
    for m in messages:
        if m.role == "assistant":
            mark = marks.get(m.id)
            said = f" \u00b7 marked {one_line(mark.describe())}" if mark else ""
            print(f"--- answer {m.id} ({m.mode}, {one_line(m.model)}){said}")
        else:
            print(f"--- question {m.id}")
        print(for_terminal(m.content))
        for c in m.citations:
            print(f"  [{c.n}] {one_line(c.path)}, {locator(c.path, c.page, short=False, ocr=c.ocr)}")
    if any(m.role == "assistant" for m in messages):
        print(MARK_HINT)
    return 0


def _mark(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.message_id is None or args.verdict is None:
        raise SystemExit("usage: " + MARK_HINT.removeprefix("Mark an answer: "))
    if args.verdict == "none":
        outcome = svc.evaluation.unmark_answer(args.message_id)
    else:
        outcome = svc.evaluation.mark_answer(
            args.message_id, args.verdict, args.answer or "", args.file or "", args.page or 0, args.absent,
        )
    print(one_line(outcome.said))
    return 0


def add_history_command(sub: Any) -> None:
    p = sub.add_parser("history", help="list past chats, show one, or mark an answer right or wrong")
    p.add_argument("action", nargs="?", choices=["mark"], help="mark: mark an answer right or wrong")
    p.add_argument("message_id", nargs="?", type=int, metavar="MESSAGE_ID", help="an answer's id (--show lists them)")
    p.add_argument("verdict", nargs="?", choices=["right", "wrong", "none"], help="none removes the mark")
    p.add_argument("--answer", metavar="TEXT", help="the right answer (with wrong)")
    p.add_argument("--file", metavar="F", help="the document that holds the right answer (with wrong)")
    p.add_argument("--page", type=int, metavar="N", help="its page (with --file)")
    p.add_argument("--absent", action="store_true", help="the answer is not in my documents (with wrong)")
    p.add_argument("--library", "-l")
    p.add_argument("--show", type=int, metavar="CHAT_ID")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_history)
