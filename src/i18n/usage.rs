//! clap's usage errors in the user's language. clap writes its errors in
//! English; under `zh` they are rebuilt here from the error's kind and its
//! context (the argument, the value, the valid values, the suggestions …),
//! so every usage error a clerk sees is Chinese and still names what to fix.
//! English keeps clap's own rendering (with its colours). Either way the
//! exit status is clap's: 2 for an error, 0 for `--help` and `--version`.

use super::{tr, Lang, Msg};
use crate::values::ValueError;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::num::{IntErrorKind, ParseIntError};

/// Print `err` as clap would, in `lang`, with any ID or phone number an
/// echoed argument holds masked unless `reveal` (contract §5).
pub fn print(err: clap::Error, lang: Lang, reveal: bool) {
    let text = match (lang, err.kind()) {
        (
            _,
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
        ) => {
            let _ = err.print();
            return;
        }
        (Lang::En, _) => err.render().to_string(),
        (Lang::Zh, _) => render(&err, lang),
    };
    let text = crate::report::mask::text(&text, reveal);
    eprint!("{}", crate::problem::printable_lines(&text));
}

/// The words of a usage error.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Text {
    Error,
    UsedTwice {
        arg: String,
    },
    CannotBeUsedWith {
        arg: String,
        with: String,
    },
    SubcommandCannotBeUsedWith {
        name: String,
        with: String,
    },
    OtherArguments,
    NoEquals {
        arg: String,
    },
    ValueRequired {
        arg: String,
    },
    InvalidValue {
        value: String,
        arg: String,
    },
    PossibleValues {
        values: String,
    },
    UnknownSubcommand {
        name: String,
    },
    MissingRequired,
    MissingSubcommand {
        name: String,
    },
    Subcommands {
        values: String,
    },
    InvalidUtf8,
    TooManyValues {
        value: String,
        arg: String,
    },
    TooFewValues {
        arg: String,
        min: isize,
        actual: isize,
    },
    WrongNumberOfValues {
        arg: String,
        expected: isize,
        actual: isize,
    },
    UnknownArgument {
        arg: String,
    },
    Io,
    Other,
    Tip,
    SimilarSubcommand {
        names: String,
    },
    SimilarArgument {
        names: String,
    },
    SimilarValue {
        names: String,
    },
    PassAsValue {
        value: String,
        with: String,
    },
    Exists {
        what: String,
    },
    RemoveDoubleDash {
        name: String,
    },
    UsageHeading,
    /// Where to read more: the help of the command that was used.
    MoreInformation {
        command: String,
    },
    NotANumber,
    NumberTooLarge,
    NotInRange {
        range: String,
    },
}

impl Text {
    fn text(&self, lang: Lang) -> String {
        use Text::*;
        match self {
            Error => tr!(lang, "error:".into(), "错误：".into()),
            UsedTwice { arg } => tr!(
                lang,
                format!("the argument '{arg}' cannot be used multiple times"),
                format!("参数 '{arg}' 只能用一次"),
            ),
            CannotBeUsedWith { arg, with } => tr!(
                lang,
                format!("the argument '{arg}' cannot be used with {with}"),
                format!("参数 '{arg}' 不能与 {with} 同时使用"),
            ),
            SubcommandCannotBeUsedWith { name, with } => tr!(
                lang,
                format!("the subcommand '{name}' cannot be used with {with}"),
                format!("子命令 '{name}' 不能与 {with} 同时使用"),
            ),
            OtherArguments => tr!(
                lang,
                "one or more of the other specified arguments".into(),
                "其他参数".into(),
            ),
            NoEquals { arg } => tr!(
                lang,
                format!("equal sign is needed when assigning values to '{arg}'"),
                format!("给 '{arg}' 赋值须用等号"),
            ),
            ValueRequired { arg } => tr!(
                lang,
                format!("a value is required for '{arg}' but none was supplied"),
                format!("'{arg}' 需要一个值，但没有给出"),
            ),
            InvalidValue { value, arg } => tr!(
                lang,
                format!("invalid value '{value}' for '{arg}'"),
                format!("'{arg}' 的值 '{value}' 无效"),
            ),
            PossibleValues { values } => tr!(
                lang,
                format!("[possible values: {values}]"),
                format!("[可选的值：{values}]"),
            ),
            UnknownSubcommand { name } => tr!(
                lang,
                format!("unrecognized subcommand '{name}'"),
                format!("没有子命令 '{name}'"),
            ),
            MissingRequired => tr!(
                lang,
                "the following required arguments were not provided:".into(),
                "缺少以下必需的参数：".into(),
            ),
            MissingSubcommand { name } => tr!(
                lang,
                format!("'{name}' requires a subcommand but one was not provided"),
                format!("'{name}' 后面须跟一个子命令，但没有给出"),
            ),
            Subcommands { values } => tr!(
                lang,
                format!("[subcommands: {values}]"),
                format!("[子命令：{values}]"),
            ),
            InvalidUtf8 => tr!(
                lang,
                "invalid UTF-8 was detected in one or more arguments".into(),
                "参数中有无效的 UTF-8 文字".into(),
            ),
            TooManyValues { value, arg } => tr!(
                lang,
                format!("unexpected value '{value}' for '{arg}' found; no more were expected"),
                format!("'{arg}' 多了一个值 '{value}'；不需要更多的值"),
            ),
            TooFewValues { arg, min, actual } => tr!(
                lang,
                format!("{min} values required by '{arg}'; only {actual} provided"),
                format!("'{arg}' 至少需要 {min} 个值；只给了 {actual} 个"),
            ),
            WrongNumberOfValues {
                arg,
                expected,
                actual,
            } => tr!(
                lang,
                format!("{expected} values required for '{arg}' but {actual} provided"),
                format!("'{arg}' 需要 {expected} 个值，但给了 {actual} 个"),
            ),
            UnknownArgument { arg } => tr!(
                lang,
                format!("unexpected argument '{arg}' found"),
                format!("无法识别的参数 '{arg}'"),
            ),
            Io => tr!(lang, "failed to write the output".into(), "输出失败".into()),
            Other => tr!(lang, "wrong usage".into(), "用法有误".into()),
            Tip => tr!(lang, "tip:".into(), "提示：".into()),
            SimilarSubcommand { names } => tr!(
                lang,
                format!("a similar subcommand exists: {names}"),
                format!("有相似的子命令：{names}"),
            ),
            SimilarArgument { names } => tr!(
                lang,
                format!("a similar argument exists: {names}"),
                format!("有相似的参数：{names}"),
            ),
            SimilarValue { names } => tr!(
                lang,
                format!("a similar value exists: {names}"),
                format!("有相似的值：{names}"),
            ),
            PassAsValue { value, with } => tr!(
                lang,
                format!("to pass '{value}' as a value, use '{with}'"),
                format!("要把 '{value}' 当作值传入，请写 '{with}'"),
            ),
            Exists { what } => tr!(lang, format!("'{what}' exists"), format!("有 '{what}'")),
            RemoveDoubleDash { name } => tr!(
                lang,
                format!("subcommand '{name}' exists; to use it, remove the '--' before it"),
                format!("有子命令 '{name}'；要用它，请删去它前面的 '--'"),
            ),
            UsageHeading => tr!(lang, "Usage:".into(), "用法：".into()),
            MoreInformation { command } => tr!(
                lang,
                // As clap says it (English is clap's own rendering).
                "For more information, try '--help'.".into(),
                format!("详见 {command} --help。"),
            ),
            NotANumber => tr!(lang, "not a whole number".into(), "不是整数".into(),),
            NumberTooLarge => tr!(lang, "number too large".into(), "数太大".into()),
            NotInRange { range } => {
                tr!(lang, format!("not in {range}"), format!("超出范围 {range}"),)
            }
        }
    }
}

/// `Usage:` / `用法：`, the heading of the usage line.
pub(super) fn usage_heading(lang: Lang) -> String {
    Text::UsageHeading.text(lang)
}

fn string(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strings(err: &clap::Error, kind: ContextKind) -> Vec<String> {
    match err.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    }
}

fn number(err: &clap::Error, kind: ContextKind) -> Option<isize> {
    match err.get(kind)? {
        ContextValue::Number(n) => Some(*n),
        _ => None,
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error as clap lays it out (message, tips, usage, pointer to
/// `--help`), in `lang`, without colours.
pub fn render(err: &clap::Error, lang: Lang) -> String {
    let space = tr!(lang, " ", "");
    let mut out = format!("{}{space}{}", Text::Error.text(lang), message(err, lang));
    let mut tips = Vec::new();
    for (kind, similar) in [
        (ContextKind::SuggestedSubcommand, 0),
        (ContextKind::SuggestedArg, 1),
        (ContextKind::SuggestedValue, 2),
    ] {
        let mut names = strings(err, kind);
        // A Chinese value clap's spelling check cannot match (乡 for
        // 乡镇): the values whose Chinese name holds it, or it holds.
        if kind == ContextKind::SuggestedValue && names.is_empty() {
            let given = string(err, ContextKind::InvalidValue).unwrap_or_default();
            names = strings(err, ContextKind::ValidValue)
                .iter()
                .filter_map(|v| chinese_name(v))
                .filter(|zh| !given.is_ascii() && (zh.contains(&given) || given.contains(zh)))
                .collect();
        }
        if names.is_empty() {
            continue;
        }
        let names = quoted(&names);
        tips.push(
            match similar {
                0 => Text::SimilarSubcommand { names },
                1 => Text::SimilarArgument { names },
                _ => Text::SimilarValue { names },
            }
            .text(lang),
        );
    }
    if let Some(ContextValue::StyledStrs(suggested)) = err.get(ContextKind::Suggested) {
        tips.extend(suggested.iter().map(|s| suggestion(&s.to_string(), lang)));
    }
    if !tips.is_empty() {
        out.push('\n');
        for tip in tips {
            out.push_str(&format!("\n  {}{space}{tip}", Text::Tip.text(lang)));
        }
    }
    let mut command = "bangfu".to_string();
    if let Some(usage) = string(err, ContextKind::Usage) {
        let heading = usage_heading(Lang::En);
        command = command_of(&usage, &heading);
        let usage = usage.strip_prefix(&heading).map_or(usage.clone(), |rest| {
            let space = tr!(lang, " ", "");
            format!(
                "{}{space}{}",
                Text::UsageHeading.text(lang),
                rest.trim_start()
            )
        });
        out.push_str(&format!("\n\n{usage}"));
    }
    out.push_str(&format!(
        "\n\n{}\n",
        Text::MoreInformation { command }.text(lang)
    ));
    out
}

/// The command a usage line is of: `Usage: bangfu show household [OPTIONS]
/// <REF>` → `bangfu show household` (its words before the first option or
/// argument).
fn command_of(usage: &str, heading: &str) -> String {
    let line = usage.strip_prefix(heading).unwrap_or(usage);
    let words: Vec<&str> = line
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    match words.is_empty() {
        true => "bangfu".into(),
        false => words.join(" "),
    }
}

/// The Chinese name a value of an option takes besides `name` (its first
/// alias that is not ASCII: `乡镇` for `township`), if it has one.
fn chinese_name(name: &str) -> Option<String> {
    use crate::report::{group, totals};
    use clap::ValueEnum;
    fn of<E: ValueEnum>(name: &str) -> Option<String> {
        let value = E::value_variants()
            .iter()
            .filter_map(E::to_possible_value)
            .find(|v| v.get_name() == name)?;
        let alias = value.get_name_and_aliases().find(|a| !a.is_ascii());
        alias.map(str::to_string)
    }
    of::<group::Dim>(name)
        .or_else(|| of::<group::Measure>(name))
        .or_else(|| of::<totals::SortBy>(name))
}

/// The first line: what is wrong.
fn message(err: &clap::Error, lang: Lang) -> String {
    let arg = || string(err, ContextKind::InvalidArg).unwrap_or_default();
    let value = || string(err, ContextKind::InvalidValue).unwrap_or_default();
    let list = |kind| strings(err, kind).join(", ");
    let msg = match err.kind() {
        ErrorKind::ArgumentConflict => {
            let prior = err.get(ContextKind::PriorArg);
            let with = match prior {
                Some(ContextValue::Strings(v)) => quoted(v),
                Some(ContextValue::String(v)) => format!("'{v}'"),
                _ => Text::OtherArguments.text(lang),
            };
            match (err.get(ContextKind::InvalidArg), prior) {
                (Some(a), Some(p)) if a == p => Text::UsedTwice { arg: arg() },
                (Some(_), _) => Text::CannotBeUsedWith { arg: arg(), with },
                (None, _) => Text::SubcommandCannotBeUsedWith {
                    name: string(err, ContextKind::InvalidSubcommand).unwrap_or_default(),
                    with,
                },
            }
        }
        ErrorKind::NoEquals => Text::NoEquals { arg: arg() },
        ErrorKind::InvalidValue => {
            let mut text = match value() {
                value if value.is_empty() => Text::ValueRequired { arg: arg() },
                value => Text::InvalidValue { value, arg: arg() },
            }
            .text(lang);
            let mut values = strings(err, ContextKind::ValidValue);
            // In Chinese, each value with the Chinese name it takes too:
            // township（乡镇）.
            if lang == Lang::Zh {
                for value in values.iter_mut() {
                    if let Some(zh) = chinese_name(value) {
                        *value = format!("{value}（{zh}）");
                    }
                }
            }
            let values = values.join(tr!(lang, ", ", "、"));
            if !values.is_empty() {
                text.push_str("\n  ");
                text.push_str(&Text::PossibleValues { values }.text(lang));
            }
            return text;
        }
        ErrorKind::InvalidSubcommand => Text::UnknownSubcommand {
            name: string(err, ContextKind::InvalidSubcommand).unwrap_or_default(),
        },
        ErrorKind::MissingRequiredArgument => {
            let mut text = Text::MissingRequired.text(lang);
            for a in strings(err, ContextKind::InvalidArg) {
                text.push_str(&format!("\n  {a}"));
            }
            return text;
        }
        ErrorKind::MissingSubcommand => {
            let mut text = Text::MissingSubcommand {
                name: string(err, ContextKind::InvalidSubcommand).unwrap_or_default(),
            }
            .text(lang);
            let values = list(ContextKind::ValidSubcommand);
            if !values.is_empty() {
                text.push_str("\n  ");
                text.push_str(&Text::Subcommands { values }.text(lang));
            }
            return text;
        }
        ErrorKind::InvalidUtf8 => Text::InvalidUtf8,
        ErrorKind::TooManyValues => Text::TooManyValues {
            value: value(),
            arg: arg(),
        },
        ErrorKind::TooFewValues => Text::TooFewValues {
            arg: arg(),
            min: number(err, ContextKind::MinValues).unwrap_or_default(),
            actual: number(err, ContextKind::ActualNumValues).unwrap_or_default(),
        },
        ErrorKind::WrongNumberOfValues => Text::WrongNumberOfValues {
            arg: arg(),
            expected: number(err, ContextKind::ExpectedNumValues).unwrap_or_default(),
            actual: number(err, ContextKind::ActualNumValues).unwrap_or_default(),
        },
        ErrorKind::ValueValidation => {
            let mut text = Text::InvalidValue {
                value: value(),
                arg: arg(),
            }
            .text(lang);
            if let Some(reason) = std::error::Error::source(err).map(|s| reason(s, lang)) {
                text.push_str(tr!(lang, ": ", "："));
                text.push_str(&reason);
            }
            return text;
        }
        ErrorKind::UnknownArgument => Text::UnknownArgument { arg: arg() },
        ErrorKind::Io | ErrorKind::Format => Text::Io,
        _ => Text::Other,
    };
    msg.text(lang)
}

/// Why a value parser refused a value: our own messages and value errors
/// from the catalogue, numbers by their kind; anything else as it says.
fn reason(source: &(dyn std::error::Error + 'static), lang: Lang) -> String {
    if let Some(msg) = source.downcast_ref::<Msg>() {
        msg.text(lang)
    } else if let Some(e) = source.downcast_ref::<ValueError>() {
        super::values::text(e, lang)
    } else if let Some(e) = source.downcast_ref::<ParseIntError>() {
        match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                Text::NumberTooLarge.text(lang)
            }
            IntErrorKind::Empty => super::values::text(&ValueError::Empty, lang),
            _ => Text::NotANumber.text(lang),
        }
    } else {
        // clap's ranged number parsers: "VALUE is not in 0..=4294967295".
        let text = source.to_string();
        match text.split_once(" is not in ") {
            Some((_, range)) => Text::NotInRange {
                range: range.to_string(),
            }
            .text(lang),
            None => text,
        }
    }
}

/// clap's tips are English sentences; the three it writes are recognised
/// and translated, any other is shown as clap wrote it.
fn suggestion(tip: &str, lang: Lang) -> String {
    let between = |s: &str, start: &str, end: &str| {
        s.strip_prefix(start)?.strip_suffix(end).map(str::to_owned)
    };
    let tip_msg = if let Some(rest) = between(tip, "to pass '", "'") {
        rest.split_once("' as a value, use '")
            .map(|(value, with)| Text::PassAsValue {
                value: value.into(),
                with: with.into(),
            })
    } else if let Some(name) = between(
        tip,
        "subcommand '",
        "' exists; to use it, remove the '--' before it",
    ) {
        Some(Text::RemoveDoubleDash { name })
    } else {
        between(tip, "'", "' exists").map(|what| Text::Exists { what })
    };
    tip_msg.map_or_else(|| tip.to_string(), |m| m.text(lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::tests::assert_chinese;

    #[test]
    fn every_usage_word_has_a_chinese_text() {
        let s = || "x".to_string();
        let all = [
            Text::Error,
            Text::UsedTwice { arg: s() },
            Text::CannotBeUsedWith {
                arg: s(),
                with: s(),
            },
            Text::SubcommandCannotBeUsedWith {
                name: s(),
                with: s(),
            },
            Text::OtherArguments,
            Text::NoEquals { arg: s() },
            Text::ValueRequired { arg: s() },
            Text::InvalidValue {
                value: s(),
                arg: s(),
            },
            Text::PossibleValues { values: s() },
            Text::UnknownSubcommand { name: s() },
            Text::MissingRequired,
            Text::MissingSubcommand { name: s() },
            Text::Subcommands { values: s() },
            Text::InvalidUtf8,
            Text::TooManyValues {
                value: s(),
                arg: s(),
            },
            Text::TooFewValues {
                arg: s(),
                min: 2,
                actual: 1,
            },
            Text::WrongNumberOfValues {
                arg: s(),
                expected: 2,
                actual: 1,
            },
            Text::UnknownArgument { arg: s() },
            Text::Io,
            Text::Other,
            Text::Tip,
            Text::SimilarSubcommand { names: s() },
            Text::SimilarArgument { names: s() },
            Text::SimilarValue { names: s() },
            Text::PassAsValue {
                value: s(),
                with: s(),
            },
            Text::Exists { what: s() },
            Text::RemoveDoubleDash { name: s() },
            Text::UsageHeading,
            Text::MoreInformation { command: s() },
            Text::NotANumber,
            Text::NumberTooLarge,
            Text::NotInRange { range: s() },
        ];
        for u in &all {
            // A new variant is a compile error here until it has a sample.
            match u {
                Text::Error
                | Text::UsedTwice { .. }
                | Text::CannotBeUsedWith { .. }
                | Text::SubcommandCannotBeUsedWith { .. }
                | Text::OtherArguments
                | Text::NoEquals { .. }
                | Text::ValueRequired { .. }
                | Text::InvalidValue { .. }
                | Text::PossibleValues { .. }
                | Text::UnknownSubcommand { .. }
                | Text::MissingRequired
                | Text::MissingSubcommand { .. }
                | Text::Subcommands { .. }
                | Text::InvalidUtf8
                | Text::TooManyValues { .. }
                | Text::TooFewValues { .. }
                | Text::WrongNumberOfValues { .. }
                | Text::UnknownArgument { .. }
                | Text::Io
                | Text::Other
                | Text::Tip
                | Text::SimilarSubcommand { .. }
                | Text::SimilarArgument { .. }
                | Text::SimilarValue { .. }
                | Text::PassAsValue { .. }
                | Text::Exists { .. }
                | Text::RemoveDoubleDash { .. }
                | Text::UsageHeading
                | Text::MoreInformation { .. }
                | Text::NotANumber
                | Text::NumberTooLarge
                | Text::NotInRange { .. } => {}
            }
            assert_chinese(&u.text(Lang::En), &u.text(Lang::Zh));
        }
    }

    #[test]
    fn clap_tips_are_translated() {
        assert_eq!(
            suggestion("to pass '--x' as a value, use '-- --x'", Lang::Zh),
            "要把 '--x' 当作值传入，请写 '-- --x'"
        );
        assert_eq!(
            suggestion("'show --format' exists", Lang::Zh),
            "有 'show --format'"
        );
        assert_eq!(
            suggestion(
                "subcommand 'log' exists; to use it, remove the '--' before it",
                Lang::Zh
            ),
            "有子命令 'log'；要用它，请删去它前面的 '--'"
        );
    }

    /// The English texts are clap's own: rendering a clap error with them
    /// gives what clap prints (so the Chinese translates the right thing).
    #[test]
    fn the_english_texts_are_what_clap_says() {
        use clap::{Arg, Command};
        let cmd = || {
            Command::new("t")
                .arg(
                    Arg::new("days")
                        .long("days")
                        .value_parser(clap::value_parser!(u32)),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["table", "csv"]),
                )
                .arg(Arg::new("file").required(true))
        };
        for args in [
            vec!["t", "--dayz", "1", "f"],
            vec!["t", "--days", "x", "f"],
            vec!["t", "--format", "xml", "f"],
            vec!["t", "--format"],
            vec!["t", "--days", "1"],
            vec!["t", "f", "g"],
            vec!["t", "--days", "1", "--days", "2", "f"],
        ] {
            let err = cmd().try_get_matches_from(&args).unwrap_err();
            let theirs = err.render().to_string();
            let ours = render(&err, Lang::En);
            let reason_only = err.kind() == ErrorKind::ValueValidation;
            if reason_only {
                // clap quotes the parser's own English reason.
                assert!(
                    theirs.starts_with(ours.split(": ").next().unwrap()),
                    "{theirs}\n{ours}"
                );
            } else {
                assert_eq!(theirs, ours, "{args:?}");
            }
        }
    }
}
