"""Typer's own words in Vietnamese: the headings and notes of every ``--help``, the help
option, the value types, and the usage errors (unknown option, wrong or missing value…).

Typer (0.29, with its copy of click in ``typer._click``) writes these in English without
gettext: the help headings are constants of ``typer.rich_utils``, set here once; the usage
line, the help option and the value types belong to the command classes below; usage errors
are caught where the groups parse and run their commands, and worded again from what the
exception holds (the parameter, its choices, the value typed). The few that click raises with
text only (an extra argument, an unknown command) are known by how their text starts; one
not known keeps its text after a Vietnamese lead-in. Every group and command of dondoc is made
by :class:`DondocTyper`, which uses these classes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from difflib import get_close_matches
from enum import Enum
from typing import Any, get_args

import typer
from typer import rich_utils
from typer._click import Command, Context, HelpFormatter
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from dondoc.cli.common import fail

USAGE_PREFIX = "Cách dùng: "
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI_SỐ]..."
HELP_OPTION_TEXT = "Hiện hướng dẫn này rồi thoát."
# The value a bare option takes, shown in the help's type column instead of <int>, <str>…
TYPE_WORDS: dict[type, str] = {int: "SỐ", float: "SỐ", str: "CHỮ"}
PATH_WORD = "TỆP"


def _set_help_headings() -> None:
    """The headings and notes rich_utils prints (module constants, read at each call)."""
    rich_utils.ARGUMENTS_PANEL_TITLE = "Đối số"
    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.DEPRECATED_STRING = "(không còn dùng) "
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.RICH_HELP = "Xem [blue]«{command_path} {help_option}»[/]."
    rich_utils.highlighter = _OptionHighlighter()


class _OptionHighlighter(rich_utils.OptionHighlighter):
    """Typer's option colours, the usage line's under its Vietnamese name."""

    highlights = [
        *(h for h in rich_utils.OptionHighlighter.highlights if "?P<usage>" not in h),
        rf"(?P<usage>{USAGE_PREFIX})",
    ]


_set_help_headings()


def _value_word(param: TyperOption | TyperArgument) -> str | None:
    """What a parameter takes, in Vietnamese; None: keep Typer's (the choices)."""
    if isinstance(param, TyperOption) and param.is_flag:
        return ""
    desc = param.type_descriptor
    if desc.is_choice:
        return None
    if desc.is_path:
        return PATH_WORD
    annotation = desc.annotation
    if desc.is_list and get_args(annotation):
        annotation = get_args(annotation)[0]
    return TYPE_WORDS.get(annotation) if isinstance(annotation, type) else None


class _VietnameseArgument(TyperArgument):
    """An argument whose type column says SỐ, CHỮ or TỆP (Typer shows no metavar there)."""

    def display_type_rich(self, ctx: Context) -> str | None:
        word = _value_word(self)
        return super().display_type_rich(ctx) if word is None else word


def _name_value_types(params: list[Any]) -> None:
    """Vietnamese value types in the help: an option's metavar when it has none, and an
    argument made a _VietnameseArgument (Typer takes no parameter class of our own)."""
    for param in params:
        if isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = _value_word(param)
        elif type(param) is TyperArgument:
            param.__class__ = _VietnameseArgument


class _VietnameseTexts(Command):
    """The usage line and the help option of a command or group, in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_value_types(self.params)

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
            option.metavar = ""
        return option


class VietnameseCommand(_VietnameseTexts, TyperCommand):
    """A command whose help is in Vietnamese."""


class VietnameseGroup(_VietnameseTexts, TyperGroup):
    """A group whose help is in Vietnamese, and whose usage errors (its own and those of its
    commands) are printed as «Lỗi: …» in Vietnamese with exit code 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        with usage_errors_in_vietnamese():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with usage_errors_in_vietnamese():
            return super().invoke(ctx)


class DondocTyper(typer.Typer):
    """A Typer app whose groups and commands speak Vietnamese (see the module's text)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", VietnameseGroup)
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs.setdefault("cls", VietnameseCommand)
        return super().command(*args, **kwargs)


@contextmanager
def usage_errors_in_vietnamese() -> Iterator[None]:
    """A usage error becomes «Lỗi: …» in Vietnamese and exit code 2; help shown because a
    group was called without a command stays as it is."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except ClickException as exc:
        ctx: Context | None = getattr(exc, "ctx", None)
        hint = f"Xem hướng dẫn: «{ctx.command_path} --help»." if ctx is not None else None
        fail(usage_message(exc), hint=hint)


def usage_message(exc: ClickException) -> str:
    """The Vietnamese message for one of Typer's usage errors."""
    if isinstance(exc, MissingParameter):
        return _missing(exc)
    if isinstance(exc, BadParameter):
        return _bad_value(exc)
    if isinstance(exc, NoSuchOption):
        message = f"Không có tùy chọn {exc.option_name}."
        if exc.possibilities:
            message += f" Có phải ý là {' hoặc '.join(sorted(exc.possibilities))}?"
        return message
    if isinstance(exc, BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"Tùy chọn {exc.option_name} không nhận giá trị: chỉ ghi {exc.option_name}."
        return f"Thiếu giá trị sau tùy chọn {exc.option_name}."
    if isinstance(exc, UsageError):
        return _usage(exc)
    return f"Lệnh viết chưa đúng ({exc.format_message()})."


def _kind_and_name(param: Any) -> tuple[str, str]:
    """("tùy chọn", "--status") or ("đối số", "MÃ")."""
    if isinstance(param, TyperArgument):
        return "đối số", param.metavar or (param.name or "").upper()
    return "tùy chọn", " / ".join(param.opts)


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice:
        return []
    return [str(c.value) if isinstance(c, Enum) else str(c) for c in desc.choices or ()]


def _missing(exc: MissingParameter) -> str:
    if exc.param is None:
        return "Thiếu một tùy chọn hoặc đối số bắt buộc."
    kind, name = _kind_and_name(exc.param)
    about = _about(exc.param)
    message = f"Thiếu {kind} {name}" + (f": {about}" if about else "")
    if choices := _choices(exc.param):
        message += f"; chỉ nhận {', '.join(choices)}"
    return message + "."


def _about(param: Any) -> str:
    """The parameter's help, to follow a colon: no final full stop, a capital lowered
    unless the word is all capitals (YYYY-MM, URL)."""
    text = (param.help or "").strip().rstrip(".")
    if text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    return text


def _typed_value(exc: BadParameter) -> str | None:
    """The value the clerk typed, kept by the validation error behind the message."""
    errors = getattr(exc.__cause__, "errors", None)
    if not callable(errors):
        return None
    try:
        found = errors()
    except Exception:  # an error object of another shape: go without the value
        return None
    if found and isinstance(found[0], dict) and "input" in found[0]:
        return str(found[0]["input"])
    return None


def _bad_value(exc: BadParameter) -> str:
    if exc.param is None:
        return f"Giá trị không hợp lệ ({exc.message})."
    kind, name = _kind_and_name(exc.param)
    value = _typed_value(exc)
    of = f"«{value}» " if value is not None else ""
    if choices := _choices(exc.param):
        need = f"chỉ nhận {', '.join(choices)}"
    elif isinstance(exc.param, TyperOption | TyperArgument) and _is_number(exc.param):
        need = "cần một số nguyên, ví dụ 12"
    else:
        need = _about(exc.param) or "xem hướng dẫn"
    return f"Giá trị {of}của {kind} {name} không hợp lệ: {need}."


def _is_number(param: TyperOption | TyperArgument) -> bool:
    annotation = param.type_descriptor.annotation
    if param.type_descriptor.is_list and get_args(annotation):
        annotation = get_args(annotation)[0]
    return annotation in (int, float)


def _usage(exc: UsageError) -> str:
    """The usage errors click raises with text only (``ctx.fail``)."""
    text = exc.message
    if text.startswith("Got unexpected extra argument"):
        extra = re.search(r"argument\(s\) \((.*)\)\s*$", text)
        return f"Thừa đối số: {extra.group(1) if extra else text}."
    group = exc.ctx.command if exc.ctx is not None else None
    commands = list(getattr(group, "commands", {}))
    if text.startswith("Missing command"):
        return "Thiếu lệnh" + (f"; các lệnh: {', '.join(commands)}." if commands else ".")
    if unknown := re.match(r"No such command '(.*?)'", text):
        name = unknown.group(1)
        message = f"Không có lệnh «{name}»."
        if close := get_close_matches(name, commands):
            message += f" Có phải ý là {' hoặc '.join(close)}?"
        return message
    return f"Lệnh viết chưa đúng ({text})."
