"""``lkk``: serve, seed the demo, follow the log, and audit it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.cli import billing_cli
from adapters.cli.config import environment, mail_url
from adapters.cli.progress import progress
from adapters.compose import services_from_env
from lkk_core.kernel.views import Views, verify


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress  # noqa: PLC0415

    from adapters.http.wsgi import app_for  # noqa: PLC0415
    from adapters.mail import mailer_from_url  # noqa: PLC0415
    from lkk_core.kernel.billing_feed import BillingFeed  # noqa: PLC0415
    from lkk_core.kernel.outbox import Outbox  # noqa: PLC0415

    env = environment(create_secrets=True)
    services = services_from_env(env)
    # Two outboxes over one log would each send every letter: with several
    # `lkk serve` processes, set LKK_OUTBOX=external and run one `lkk outbox run`.
    if env.get("LKK_OUTBOX", "inline") == "inline":
        outbox = Outbox.for_services(services, mailer_from_url(mail_url(env)))
        services.after_save.append(outbox.nudge)
        threading.Thread(target=outbox.run_forever, name="outbox", daemon=True).start()
        feed = BillingFeed.for_services(services)  # submitted readings to billing, the same way
        services.after_save.append(feed.nudge)
        threading.Thread(target=feed.run_forever, name="billing-feed", daemon=True).start()
        mail = f"mail -> {mail_url(env)}"
    else:
        mail = "mail: LKK_OUTBOX=external (run `lkk outbox run`)"
    app = app_for(services, env)
    print(f"lkk: serving http://{args.host}:{args.port}/v1 (OpenAPI at /openapi.json); {mail}")
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from adapters.cli.demo import ensure_dataset, seed  # noqa: PLC0415
    from lkk_core.kernel.clock import SystemClock  # noqa: PLC0415

    env = environment(create_secrets=True)
    month = SystemClock().now().astimezone(supplier_timezone(env)).date().replace(day=1)
    for line in ensure_dataset(env, args.contracts, month, progress("billing dataset")):
        print(line)
    services = services_from_env(env)
    for line in seed(services):
        print(line)
    return 0


def cmd_demo_reset(args: argparse.Namespace) -> int:
    import shutil  # noqa: PLC0415

    from adapters.cli.demo import DemoStoreElsewhere, demo_files  # noqa: PLC0415

    try:
        doomed = demo_files(environment())
    except DemoStoreElsewhere as ex:
        print(ex, file=sys.stderr)
        return 2
    for path in doomed:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    print(f"demo reset: removed {', '.join(p.name for p in doomed) or 'nothing'} (the keys are kept)")
    return cmd_demo_seed(args)


def supplier_timezone(env: dict[str, str]) -> Any:
    """Return the zone of ``LKK_TIMEZONE`` (the supplier's calendar: which month "this month" is)."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from lkk_core.kernel.services import DEFAULT_TIMEZONE  # noqa: PLC0415

    return ZoneInfo(env.get("LKK_TIMEZONE") or DEFAULT_TIMEZONE)


def cmd_secrets_new(args: argparse.Namespace) -> int:
    from lkk_core import new_secrets  # noqa: PLC0415

    print("\n".join(f"{name}={value}" for name, value in new_secrets().items()))
    return 0


def cmd_events_export(args: argparse.Namespace) -> int:
    services = services_from_env(environment(), billing=False)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    start, count, head = args.start - 1, 0, services.app.recorder.max_notification_id() or 0
    shown = progress("events export")
    while batch := services.app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False):
        for n in batch:
            record = {"position": n.id, "originator_id": str(n.originator_id), "originator_version": n.originator_version,
                      "topic": n.topic, "state": json.loads(n.state)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        start = batch[-1].id
        shown(start, head)
    if args.output:
        out.close()
    print(f"exported {count} events", file=sys.stderr)
    return 0


def cmd_project_rebuild(args: argparse.Namespace) -> int:
    services = services_from_env(environment(), billing=False)
    head = services.views.rebuild(progress("project rebuild"))
    print(f"rebuilt {len(services.views.projections)} views up to position {head}")
    return 0


def cmd_project_verify(args: argparse.Namespace) -> int:
    from lkk_core.bootstrap import ALL_PROJECTIONS  # noqa: PLC0415

    services = services_from_env(environment(), billing=False)
    with tempfile.TemporaryDirectory() as workdir:
        differences = verify(services.app, ALL_PROJECTIONS, services.views, Path(workdir))
    if args.json:
        print(json.dumps({"differences": differences, "views": len(services.views.projections)}, ensure_ascii=False))
    else:
        for line in differences:
            print(line)
        print(f"verify: {len(differences)} differences in {len(services.views.projections)} views")
    return 1 if differences else 0


def cmd_project_run(args: argparse.Namespace) -> int:
    services = services_from_env(environment(), billing=False)
    views: Views = services.views
    print(f"following the log into {', '.join(views.projections)}")
    views.run_forever(poll=args.poll)
    return 0


def cmd_outbox_run(args: argparse.Namespace) -> int:
    from adapters.mail import mailer_from_url  # noqa: PLC0415
    from lkk_core.kernel.outbox import Outbox  # noqa: PLC0415

    env = environment()
    services = services_from_env(env, billing=False)  # without a dataset, letters name contracts by number
    outbox = Outbox.for_services(services, mailer_from_url(mail_url(env)))
    if args.once:
        print(f"sent {outbox.deliver_pending()} messages")
        return 0
    outbox.run_forever(poll=args.poll)
    return 0


def _account_id(services: Any, who: str) -> Any:
    """Staff name an account by its id or by its e-mail (or legacy login)."""
    from uuid import UUID  # noqa: PLC0415

    from lkk_core.accounts import account_by_identifier  # noqa: PLC0415
    from lkk_core.kernel.errors import NotFound  # noqa: PLC0415

    try:
        return UUID(who)
    except ValueError:
        account = account_by_identifier(services, who)
        if account is None:
            raise NotFound("Пользователь не найден", field="account") from None  # NOTE: proposal
        return account.id


def cmd_staff(args: argparse.Namespace) -> int:  # noqa: C901  (one branch per staff command)
    from lkk_core import accounts, contracts  # noqa: PLC0415
    from lkk_core.accounts import ImportLegacyAccount, RestoreEmail  # noqa: PLC0415
    from lkk_core.contracts import GrantAdministrator, RefuseAdministratorRequest  # noqa: PLC0415
    from lkk_core.kernel.access import valid_contract_number  # noqa: PLC0415

    from adapters.http.schemas import contracts as schemas  # noqa: PLC0415

    if getattr(args, "contract", None) is not None:  # the command line is an entry point: CON-02 here, once
        args.contract = valid_contract_number(args.contract)
    command = args.staff_command
    password = _legacy_password(args, sys.stdin) if command == "import-legacy" else None
    services = services_from_env(environment())
    acting = _acting(services, args, required=True)
    if command == "import-legacy":
        imported = ImportLegacyAccount(login=args.login, email=args.email, password=password)
        print(accounts.import_legacy_account(services, acting, imported).account_id)
    elif command == "restore-email":
        accounts.restore_email(services, acting, _account_id(services, args.account), RestoreEmail(email=args.email))
        print("restored")
    elif command == "grant-administrator":
        grant = GrantAdministrator(account_id=_account_id(services, args.account))
        contracts.grant_administrator(services, acting, args.contract, grant)
        print(f"{args.account} is the Administrator of {args.contract}")
    elif command == "revoke-role":
        contracts.revoke_role_by_staff(services, acting, args.contract, _account_id(services, args.account))
        print("revoked")
    elif command == "refuse-request":
        refusal = RefuseAdministratorRequest(account_id=_account_id(services, args.account))
        contracts.refuse_administrator_request(services, acting, args.contract, refusal)
        print("refused")
    elif command == "contract-users":
        for user in contracts.staff_contract_users(services, acting, args.contract):
            print(_json_line(schemas.ContractUser, user))
    else:  # requests
        for request in contracts.open_administrator_requests(services, acting):
            print(_json_line(schemas.AdministratorRequest, request))
    return 0


def _acting(services: Any, args: argparse.Namespace, *, required: bool) -> Any:
    """The specialist a console command acts as (``--as LOGIN``); the operator only where allowed."""
    from lkk_core import staff  # noqa: PLC0415
    from lkk_core.kernel.errors import Unauthenticated  # noqa: PLC0415

    if args.acting is not None:
        return staff.acting_staff(services, args.acting)
    if required:
        raise Unauthenticated(AS_REQUIRED, field="as")
    return staff.OPERATOR


AS_REQUIRED = "Укажите специалиста: lkk staff --as ЛОГИН …"  # NOTE: proposal


def _legacy_password(args: argparse.Namespace, stdin: Any) -> str:
    """Read the imported account's password from a file, standard input or a prompt: never from argv.

    A password on the command line is seen by every user of the machine
    (``ps``, /proc) and kept in shell history, so the parser has no option for it.
    """
    import getpass  # noqa: PLC0415

    if args.password_file is not None and args.password_file != "-":
        with open(args.password_file, encoding="utf-8") as file:
            line = file.readline()
    elif args.password_file is None and stdin.isatty():
        return getpass.getpass("Пароль переносимого пользователя: ")
    else:
        line = stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


def cmd_staff_credentials(args: argparse.Namespace) -> int:
    """``lkk staff create | token | revoke | list``: specialists and their tokens."""
    from lkk_core import staff  # noqa: PLC0415

    services = services_from_env(environment(), billing=False)
    command = args.staff_command
    if command == "list":
        for member in staff.staff_members(services):
            print(_staff_line(member, as_json=args.json))
        return 0
    acting = _acting(services, args, required=False)
    if command == "create":
        from adapters.http.middleware import parse  # noqa: PLC0415  (pydantic's refusals as ValidationFailed)

        form = parse(staff.CreateStaffMember, {"login": args.login, "full_name": args.name, "email": args.email})
        _show_token(staff.create_staff_member(services, acting, form))
    elif command == "token":
        _show_token(staff.issue_staff_token(services, acting, args.login))
    elif args.token is not None:  # revoke one token
        staff.revoke_staff_token(services, acting, args.login, args.token)
        print(f"revoked token {args.token} of {args.login}")
    else:
        staff.revoke_staff_member(services, acting, args.login)
        print(f"revoked {args.login} and every token of theirs")
    return 0


def _show_token(issued: Any) -> None:
    # The token alone on standard output (TOKEN=$(lkk staff token ann)); it is shown this once, never stored.
    print(f"staff id {issued.staff_id}, token id {issued.token_id} (the token is shown once: keep it now)",
          file=sys.stderr)
    print(issued.token)


def _staff_line(member: Any, *, as_json: bool) -> str:
    live = [t for t in member.tokens if t.revoked_at is None]
    if as_json:
        return json.dumps({
            "staff_id": member.staff_id, "login": member.login, "full_name": member.full_name,
            "email": member.email, "created_by": member.created_by, "created_at": member.created_at.isoformat(),
            "revoked_at": member.revoked_at and member.revoked_at.isoformat(),
            "tokens": [{"token_id": str(t.token_id), "issued_at": t.issued_at.isoformat(),
                        "revoked_at": t.revoked_at and t.revoked_at.isoformat()} for t in member.tokens],
        }, ensure_ascii=False)
    state = f"revoked {member.revoked_at:%Y-%m-%d %H:%M}" if member.revoked_at else f"{len(live)} live tokens"
    return f"{member.login}\t{member.full_name}\t{state}\t{member.staff_id}"


def _json_line(model: Any, row: Any) -> str:
    """Return a query's row as one JSON line, rendered by the HTTP answer's own model (the same fields and text)."""
    return json.dumps(model.model_validate(row).model_dump(mode="json"), ensure_ascii=False)


def cmd_sweep(args: argparse.Namespace) -> int:
    from lkk_core.sweep import sweep  # noqa: PLC0415

    report = sweep(services_from_env(environment(), billing=False))
    if args.json:
        print(json.dumps(dataclasses.asdict(report)))
        return 0
    print(f"sweep: expired {report.bindings_expired} binding requests, released the contracts of"
          f" {report.contracts_released} deleted accounts, shredded {report.keys_shredded} leftover keys")
    return 0


def _uuid(text: str) -> Any:
    from uuid import UUID  # noqa: PLC0415

    return UUID(text)


def parser() -> argparse.ArgumentParser:
    """Describe every command."""
    top = argparse.ArgumentParser(prog="lkk", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    billing_cli.add_arguments(sub)

    serve = sub.add_parser("serve", help="serve the HTTP API with waitress")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.set_defaults(run=cmd_serve)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    demo_seed = demo.add_parser("seed", help="a billing dataset if there is none, demo accounts and bindings"
                                             " (idempotent)")
    demo_seed.add_argument("--contracts", type=int, default=20,
                           help="contracts in the generated dataset (default 20: the manual's examples and a few"
                                " more; up to 100000 for benchmarks)")
    demo_seed.set_defaults(run=cmd_demo_seed)
    demo_reset = demo.add_parser("reset", help="remove the demo's log, views, outbox and dataset (keys kept), then"
                                               " seed afresh; refused when the settings point elsewhere")
    demo_reset.add_argument("--contracts", type=int, default=20, help="as for seed")
    demo_reset.set_defaults(run=cmd_demo_reset)

    secrets = sub.add_parser("secrets", help="keys").add_subparsers(dest="secrets_command", required=True)
    secrets.add_parser("new", help="print a fresh LKK_PII_KEK and LKK_SECRET_KEY").set_defaults(run=cmd_secrets_new)

    events = sub.add_parser("events", help="the log").add_subparsers(dest="events_command", required=True)
    export = events.add_parser("export", help="the log as JSON Lines, in order, as stored")
    export.add_argument("--from", dest="start", type=int, default=1, help="first position (default 1)")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_events_export)

    project = sub.add_parser("project", help="views").add_subparsers(dest="project_command", required=True)
    project.add_parser("rebuild", help="drop every view and rebuild it from position 0").set_defaults(
        run=cmd_project_rebuild)
    verify_parser = project.add_parser("verify", help="rebuild into scratch storage and compare with the live views")
    verify_parser.add_argument("--json", action="store_true", help="one JSON object: the differences and the views")
    verify_parser.set_defaults(run=cmd_project_verify)
    run = project.add_parser("run", help="follow the log and keep the views up to date")
    run.add_argument("--poll", type=float, default=0.2)
    run.set_defaults(run=cmd_project_run)

    outbox = sub.add_parser("outbox", help="mail").add_subparsers(dest="outbox_command", required=True)
    deliver = outbox.add_parser("run", help="deliver recorded mail (LKK_SMTP_URL, default var/outbox/)")
    deliver.add_argument("--once", action="store_true", help="deliver what is pending and exit")
    deliver.add_argument("--poll", type=float, default=1.0)
    deliver.set_defaults(run=cmd_outbox_run)

    sweep_parser = sub.add_parser("sweep", help="record expiries and finish interrupted deletions (run periodically)")
    sweep_parser.add_argument("--json", action="store_true", help="the counts as one JSON object")
    sweep_parser.set_defaults(run=cmd_sweep)

    staff = sub.add_parser("staff", help="supplier staff: their credentials, and their commands")
    staff.add_argument("--as", dest="acting", metavar="LOGIN",
                       help="the specialist doing this, recorded in the events (required but for create, token,"
                            " revoke and list, where it defaults to the operator at this console)")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    create = staff_sub.add_parser("create", help="give a specialist access and print their first token (once)")
    create.add_argument("login", help="a login or an e-mail address")
    create.add_argument("--name", required=True, help="full name")
    create.add_argument("--email")
    create.set_defaults(run=cmd_staff_credentials)
    token = staff_sub.add_parser("token", help="issue one more token to a specialist and print it (once)")
    token.add_argument("login")
    token.set_defaults(run=cmd_staff_credentials)
    revoke = staff_sub.add_parser("revoke", help="revoke a specialist and all their tokens, or one token")
    revoke.add_argument("login")
    revoke.add_argument("--token", type=_uuid, metavar="TOKEN_ID", help="revoke only this token")
    revoke.set_defaults(run=cmd_staff_credentials)
    listing = staff_sub.add_parser("list", help="list the specialists and their tokens")
    listing.add_argument("--json", action="store_true", help="JSON Lines, with every token")
    listing.set_defaults(run=cmd_staff_credentials)
    # No abbreviations: `--password X` must not pass as `--password-file X` (a password never comes in argv).
    legacy = staff_sub.add_parser("import-legacy", allow_abbrev=False,
                                  help="import an account that logs in by login (ACC-11a); the password is"
                                       " prompted for on a terminal, else read from standard input")
    legacy.add_argument("--login", required=True)
    legacy.add_argument("--email")
    legacy.add_argument("--password-file", metavar="PATH",
                        help="read the password from the first line of this file ('-': standard input)")
    legacy.set_defaults(run=cmd_staff)
    restore = staff_sub.add_parser("restore-email", help="restore a removed e-mail, unconfirmed (ACC-11a)")
    restore.add_argument("account", help="account id, e-mail or login")
    restore.add_argument("email")
    restore.set_defaults(run=cmd_staff)
    for name, text in (
        ("grant-administrator", "make a holder of the contract its Administrator (ROL-08)"),
        ("revoke-role", "remove a holder's role on the contract, the Administrator's too (ROL-17)"),
        ("refuse-request", "refuse a holder's request for the Administrator role (ROL-13)"),
    ):
        action = staff_sub.add_parser(name, help=text)
        action.add_argument("contract", help="the 14-digit contract number")
        action.add_argument("account", help="account id, e-mail or login")
        action.set_defaults(run=cmd_staff)
    users = staff_sub.add_parser("contract-users", help="list who holds the contract (JSON Lines)")
    users.add_argument("contract")
    users.set_defaults(run=cmd_staff)
    staff_sub.add_parser("requests", help="list open requests for the Administrator role (JSON Lines)").set_defaults(
        run=cmd_staff)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; domain errors print their Russian message and exit 2."""
    from lkk_core.kernel.errors import LkkError  # noqa: PLC0415

    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except LkkError as ex:
        print(f"lkk: {refusal_line(ex)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `lkk … | head`: the reader has what it wanted
        sys.stderr = None  # type: ignore[assignment]  (nothing more can be said on a closed pipe)
        return 0


def refusal_line(error: Any) -> str:
    """Return a refusal as readable text: the message, the field it names, its other details as ``key: value``,
    and each of its ``errors`` on a line of its own (never a Python repr).

    >>> from lkk_core.kernel.errors import NotFound
    >>> refusal_line(NotFound("Пользователь не найден", field="account"))
    'Пользователь не найден (account) [not_found]'
    """
    details = dict(error.details or {})
    field, items = details.pop("field", None), details.pop("errors", None) or []
    where = f" ({field})" if field else ""
    rest = "; ".join(f"{k}: {_plain(v)}" for k, v in details.items() if v not in (None, "", [], {}))
    lines = [f"{error.message}{where}{' — ' + rest if rest else ''} [{error.code}]"]
    for item in items:
        item = dict(item)
        place = item.pop("field", None) or item.pop("cell", None) or ""
        message = item.pop("message", "")
        lines.append(f"  {place}: {message}" if place else f"  {message}")
    return "\n".join(lines)


def _plain(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


if __name__ == "__main__":
    sys.exit(main())
