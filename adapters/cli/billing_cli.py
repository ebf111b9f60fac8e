"""``lkk billing``: generate, check and describe the reference billing dataset.

Registered by ``adapters.cli.main.parser`` with ``billing_cli.add_arguments(sub)``.
Each handler takes the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from adapters.billing.dataset import SCHEMA_PATH, DatasetBilling, billing_from_env, dataset_schema_text
from adapters.billing.generate import write_generated
from adapters.billing.loader import DatasetInvalid, DatasetMissing
from adapters.cli.progress import progress


def cmd_billing_generate(args: argparse.Namespace) -> int:
    """Write a generated dataset (``--contracts N --out PATH [--seed S]``)."""
    shown = progress("billing generate")
    path = write_generated(Path(args.out), args.contracts, seed=args.seed,
                           progress=lambda done: shown(done, args.contracts))
    print(f"wrote {args.contracts} contracts (seed {args.seed}) to {path}")
    return 0


def cmd_billing_check(args: argparse.Namespace) -> int:
    """Validate a dataset and print what it holds; exit 1 naming each bad field."""
    try:
        shown = progress("billing check")
        billing = (DatasetBilling(args.path, progress=shown) if args.path
                   else billing_from_env(os.environ, progress=shown))
    except DatasetMissing as ex:
        print(ex, file=sys.stderr)
        return 1
    except DatasetInvalid as ex:
        if args.json:
            print(json.dumps({"path": str(ex.path), "valid": False, "problems": [str(p) for p in ex.problems],
                              "total": ex.total}, ensure_ascii=False))
            return 1
        for problem in ex.problems:
            print(f"{ex.path}: {problem}", file=sys.stderr)
        if ex.total > len(ex.problems):
            print(f"{ex.path}: … and {ex.total - len(ex.problems)} more problems", file=sys.stderr)
        print(f"{ex.path}: invalid ({ex.total} problems)", file=sys.stderr)
        return 1
    with billing:
        c = billing.counts
        if args.json:
            print(json.dumps({"path": str(billing.path), "valid": True, **dataclasses.asdict(c)}))
            return 0
        print(f"{billing.path}: valid: {c.contracts} contracts, {c.energy_objects} energy objects, "
              f"{c.metering_points} metering points, {c.meters} meters, {c.scales} scales, {c.emails} e-mails")
    return 0


def cmd_billing_schema(args: argparse.Namespace) -> int:
    """Print the dataset's JSON Schema, or write it to ``--out``."""
    if args.out:
        Path(args.out).write_text(dataset_schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(dataset_schema_text())
    return 0


def cmd_billing_accept_period(args: argparse.Namespace) -> int:
    """Record billing's facts for a contract's month: readings accepted and (unless ``--keep-open``) period closed."""
    from adapters.cli.config import environment  # noqa: PLC0415
    from adapters.compose import services_from_env  # noqa: PLC0415
    from lkk_core import readings  # noqa: PLC0415
    from lkk_core.kernel.services import StaffActor  # noqa: PLC0415

    services = services_from_env(environment())
    position = readings.accept_period(services, StaffActor(args.staff_id), args.contract, args.period,
                                      close=not args.keep_open)
    print(f"recorded at position {position}")
    return 0


def cmd_billing_feed(args: argparse.Namespace) -> int:
    """Hand submitted readings to billing (``--once``: what is pending, then exit)."""
    from adapters.cli.config import environment  # noqa: PLC0415
    from adapters.compose import services_from_env  # noqa: PLC0415
    from lkk_core.kernel.billing_feed import BillingFeed  # noqa: PLC0415

    feed = BillingFeed.for_services(services_from_env(environment()))
    if args.once:
        print(f"delivered {feed.deliver_pending()} submissions")
        return 0
    feed.run_forever(poll=args.poll)
    return 0


def _period(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)  # noqa: PLR2004
    except ValueError:
        msg = "expected YYYY-MM or YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        msg = "must be 0 or more"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_arguments(subparsers: Any) -> None:
    """Add ``billing generate|check|schema|accept-period|feed`` to the ``lkk`` sub-commands."""
    billing = subparsers.add_parser("billing", help="the reference billing dataset (LKK_BILLING_DATASET)")
    commands = billing.add_subparsers(dest="billing_command", required=True)

    generate = commands.add_parser("generate", help="write a realistic dataset; same seed, same bytes")
    generate.add_argument("--contracts", type=_count, required=True, help="how many contracts")
    generate.add_argument("--out", required=True, help="the file to write (JSON Lines)")
    generate.add_argument("--seed", type=int, default=0, help="default 0")
    generate.set_defaults(run=cmd_billing_generate)

    check = commands.add_parser("check", help="validate a dataset and count what it holds")
    check.add_argument("path", nargs="?", help="default: LKK_BILLING_DATASET, else $LKK_VAR_DIR/billing.json")
    check.add_argument("--json", action="store_true", help="one JSON object: valid, the counts or the problems")
    check.set_defaults(run=cmd_billing_check)

    schema = commands.add_parser("schema", help="print the dataset's JSON Schema")
    schema.add_argument("--out", help=f"write it to a file instead (the repository keeps {SCHEMA_PATH.name})")
    schema.set_defaults(run=cmd_billing_schema)

    accept = commands.add_parser("accept-period", help="record that billing accepted a contract's readings of a"
                                                      " month (the portal's and its own, HIS-07) and closed the"
                                                      " period (the billing feed, RDG-09)")
    accept.add_argument("contract", help="the 14-digit contract number")
    accept.add_argument("period", type=_period, help="the month, YYYY-MM")
    accept.add_argument("--keep-open", action="store_true", help="record the acceptance only")
    accept.add_argument("--staff-id", default="billing")
    accept.set_defaults(run=cmd_billing_accept_period)

    feed = commands.add_parser("feed", help="hand submitted readings to billing (with LKK_OUTBOX=external)")
    feed.add_argument("--once", action="store_true", help="deliver what is pending and exit")
    feed.add_argument("--poll", type=float, default=1.0)
    feed.set_defaults(run=cmd_billing_feed)
