//! `--help` in the user's language. The command line stays one clap derive
//! definition ([`crate::cli`], English doc comments); under `zh` the built
//! command tree is walked and every about text, argument help, value hint,
//! heading, default and list of values is replaced by the Chinese below,
//! keyed by the command's name and the argument's id. The Chinese names that
//! `--by`, `--measure` … accept are shown beside their English keys.
//!
//! [`missing`] lists every command and argument without Chinese: a test
//! requires it empty, so an argument added without its translation is named.

use super::{tr, Lang};
use clap::builder::{PossibleValue, Str};
use clap::{Arg, Command};

/// The Chinese about text of a command, by its name.
fn about(name: &str) -> Option<&'static str> {
    Some(match name {
        "bangfu" => "结对帮扶（六送一办）记录：把表格导出的文件导入 SQLite 数据库文件或 PostgreSQL 服务器，显示报表合计",
        "import" => {
            "从导出的表格文件（CSV/TSV、.xlsx/.xls/.ods）导入贫困户、帮扶人、结对和帮扶记录"
        }
        "summary" => "主要数据汇总及可直接写入材料的一句话",
        "totals" => "按组合计帮扶记录，末行为合计",
        "overdue" => "最近一次帮扶已隔太久（或从未帮扶）的结对",
        "unpaired" => "没有有效结对的贫困户",
        "show" => "一户或一名帮扶人：记录、结对和帮扶记录",
        "household" => "查看某户，按户编号或户主",
        "member" => "查看某帮扶人，按编号或姓名",
        "check" => "跨记录查找问题：结对之外的帮扶、没有帮扶的结对、没有结对户的帮扶人",
        "export" => "写出带图表的报表工作簿（.xlsx）",
        "demo" => "把程序自带的示例数据载入内存（给了 --db 时载入该文件）并显示报告",
        "help" => "显示本说明或所给子命令的说明",
        "log" => "导入记录，最近的在前：每次导入的编号、时间、用户和文件",
        "undo" => "撤销第 N 次导入：删除它新增的，恢复它改动或删除的",
        "grant" => {
            "在 PostgreSQL 服务器上建立（或更新）登录角色：只能读写一个乡镇的记录，或所有乡镇的"
        }
        _ => return None,
    })
}

/// Text after the options, by command name.
fn after_help(name: &str) -> Option<&'static str> {
    Some(match name {
        "bangfu" => "退出状态：0 正常，1 数据有问题，2 用法有误。\n数据库为 --db，否则 $BANGFU_DB，否则 ./bangfu.db。",
        "grant" => "请以数据库管理员（建立 bangfu 数据表的角色）身份运行：--db postgres://管理员@主机:端口/数据库名。\n\
由服务器把角色限定在它的乡镇（行级安全）：它只能改动当前乡镇为 --township 所给乡镇的贫困户及其结对、帮扶记录，可查看这些以及从该乡镇迁出的贫困户；可查看所有帮扶人，但不能改；可查看导入记录（自己的和区里的），只能写自己的导入记录。它出的报表就是本乡镇的报表，与区里的登录名加 --township 所出的相同，贫困户迁出后也一样。没有任何贫困户属于（或曾属于）所给乡镇时拒绝，并提示相近的名称，除非加 --new-township。不给 --township 时可读写全部记录。对同一角色再运行一次，可改它的乡镇，给了密码时也改密码。\n\
密码从不写在命令行上：取 --password-file 文件的第一行，否则取 $BANGFU_ROLE_PASSWORD。经办人随后用 --db postgres://角色名@主机:端口/数据库名 登录，密码放在 PGPASSWORD 或 ~/.pgpass 中。没有密码的角色，只能在服务器的 pg_hba.conf 允许免密码登录（peer、cert）的地方登录；要给它密码，带上密码再运行一次 grant 即可。",
        _ => return None,
    })
}

/// The Chinese help of an argument, by its command's name and its id.
fn arg_help(command: &str, id: &str) -> Option<&'static str> {
    Some(match (command, id) {
        ("demo", "db") => DEMO_DB.1,
        (_, "db") => "数据库：文件，或服务器 postgres://用户@主机:端口/数据库名 [默认：$BANGFU_DB，否则 ./bangfu.db]",
        (_, "lang") => "输出语言 [默认按系统语言（LC_ALL、LC_MESSAGES、LANG）]",
        (_, "reveal") => "完整显示身份证号和电话号码，不打码",
        (_, "quiet") => "不显示进度条",
        (_, "help") => "显示帮助",
        (_, "version") => "显示版本",
        ("help", "subcommand") => "要看说明的子命令",
        ("grant", "role") => "登录角色名：经办人在服务器上的登录名",
        ("grant", "township") => "该角色可读写哪个乡镇的贫困户及其结对、帮扶记录 [默认：所有乡镇]",
        ("grant", "new_township") => "该乡镇的贫困户以后再导入：即使目前没有贫困户属于 --township 所写的乡镇，也照样授权",
        ("grant", "password_file") => {
            "把角色的密码设为该文件的第一行 [默认：$BANGFU_ROLE_PASSWORD，否则密码不变（新角色没有密码）]"
        }
        (_, "from") => "只算该日期及以后的帮扶",
        (_, "to") => "只算该日期及以前的帮扶",
        (_, "township") => "只算该乡镇的贫困户",
        (_, "village") => "只算该村的贫困户",
        (_, "unit") => "只算该单位的帮扶人",
        (_, "member") => "只算该帮扶人（编号或姓名）",
        (_, "household") => "只算该户（户编号或户主）",
        (_, "category") => "只算该类别（英文键或中文名）",
        (_, "format") => "输出格式 [默认：按 --output 文件的扩展名（.csv、.json、.md、.txt），否则为 table]",
        (_, "output") => "把报告写入该文件，不显示在屏幕上（csv 文件带 UTF-8 BOM，Excel、WPS 直接打开不乱码）",
        ("totals", "by") => "按这些维度分组，用逗号分隔",
        ("totals", "across") => "交叉表：该维度的每个值一列",
        ("totals", "measure") => "交叉表单元格里的指标（须与 --across 同用）",
        ("totals", "sort") => "行的顺序",
        ("totals", "top") => "只列前 N 行（合计行仍包括全部）",
        ("export", "xlsx") => "要写出的工作簿",
        ("export", "days") => "逾期表中，结对超过 N 天没有帮扶算作逾期",
        ("export", "title") => {
            "各表标题开头的地区名称（如 龙山区）[默认：--township，否则为帮扶记录所在的乡镇]"
        }
        ("overdue", "days") => "结对的最近一次帮扶超过 N 天即为逾期",
        (_, "as_of") => "按哪一天判断 [默认：今天]",
        ("household", "reference") => "户编号或户主",
        ("member", "reference") => "帮扶人编号或姓名",
        ("import", "kind") => {
            "文件里是什么（households 贫困户、members 帮扶人、pairings 结对、deliveries 帮扶记录）；不给时按表头判断"
        }
        ("import", "encoding") => {
            "文字编码（utf-8、gbk、gb18030、utf-16le、utf-16be）；不给时自动判断"
        }
        ("import", "delimiter") => {
            "分隔符（一个字符，或 tab 制表符、comma 逗号、semicolon 分号）；不给时按表头行推断"
        }
        ("import", "sheet") => ".xlsx、.xls、.ods 文件中要读的工作表 [默认：第一个]",
        ("import", "ledger") => "这些文件导入到哪个台账 [默认：各文件去掉文件夹和扩展名后的文件名]",
        ("import", "replace") => {
            "每个文件是它的台账这一类记录的完整新版本：文件里没有了的记录，台账不再保留（没有台账保留的帮扶记录和结对删除，贫困户和帮扶人销户）"
        }
        ("import", "force") => "即使 --replace 要删掉台账一半以上的记录，或删掉文件里没有的乡镇的记录，也照样替换",
        ("import", "dry_run") => "只检查，什么也不写入",
        ("import", "rejects") => "导入没有问题的行，并把每个有问题的行连同错误说明写入该文件",
        ("import", "files") => "要导入的文件，顺序不限",
        ("undo", "number") => "导入编号，即 bangfu log 显示的编号",
        ("undo", "dry_run") => "只说明撤销将删除和恢复什么，什么也不写入",
        (_, "ledger") => "只算该台账中的记录",
        _ => return None,
    })
}

/// `demo` does not read `$BANGFU_DB`: without `--db` it works in memory.
/// The global `--db` help says otherwise, so demo's says this, in both
/// languages.
const DEMO_DB: (&str, &str) = (
    "Load the sample into this database file instead of into memory ($BANGFU_DB is not used)",
    "把示例数据载入该数据库文件，而不是内存（不使用 $BANGFU_DB）",
);

/// The Chinese of a value hint; hints that are no word (`N`) stay.
fn value_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "N" => "N",
        "PATH" => "路径",
        "DATE" => "日期",
        "NAME" => "名称",
        "REF" => "编号或名称",
        "CATEGORY" => "类别",
        "FILE" => "文件",
        "KIND" => "类型",
        "ENCODING" => "编码",
        "CHAR" => "字符",
        "DIM" => "维度",
        "DIM[,DIM...]" => "维度[,维度...]",
        "FORMAT" => "格式",
        "LANG" => "语言",
        "MEASURE" => "指标",
        "SORT" => "顺序",
        "COMMAND" => "命令",
        "ROLE" => "角色名",
        _ => return None,
    })
}

/// The Chinese help of a possible value that has help in English, by the
/// argument's id and the value.
fn value_help(id: &str, value: &str) -> Option<&'static str> {
    Some(match (id, value) {
        ("sort", "key") => "按分组的值：类别按固定顺序，时间按先后",
        ("sort", "total") => "从大到小",
        _ => return None,
    })
}

/// The words of the help layout.
#[derive(Clone, Copy)]
enum Word {
    Options,
    Arguments,
    Commands,
    OptionsInUsage,
    Default,
    Values,
}

impl Word {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            Word::Options => tr!(lang, "Options", "选项"),
            Word::Arguments => tr!(lang, "Arguments", "参数"),
            Word::Commands => tr!(lang, "Commands", "命令"),
            Word::OptionsInUsage => tr!(lang, "[OPTIONS]", "[选项]"),
            Word::Default => tr!(lang, "default", "默认"),
            Word::Values => tr!(lang, "possible values", "可选的值"),
        }
    }
}

/// The command line of bangfu, built, with its help in `lang`.
pub fn localized_command(lang: Lang) -> Command {
    localized(lang, &mut Vec::new())
}

/// The same, noting in `missing` what has no Chinese help. The tree is
/// built first, so that clap's own `--help`, `--version`, `help` and the
/// global arguments copied into every subcommand are there to translate.
fn localized(lang: Lang, missing: &mut Vec<String>) -> Command {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    cmd.build();
    localize(&mut cmd, lang, missing);
    cmd
}

/// Parse the command line with help and usage errors in `lang`.
pub fn parse<I, T>(lang: Lang, args: I) -> Result<crate::cli::Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = localized_command(lang).try_get_matches_from(args)?;
    <crate::cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches)
}

/// Every command and argument of the tree that has no Chinese help, as
/// `command: what` (empty when all have).
pub fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    localized(Lang::Zh, &mut missing);
    missing
}

fn localize(cmd: &mut Command, lang: Lang, missing: &mut Vec<String>) {
    let name = cmd.get_name().to_string();
    if name == "demo" {
        let help = tr!(lang, DEMO_DB.0, DEMO_DB.1);
        *cmd = std::mem::take(cmd).mut_args(|a| if a.get_id() == "db" { a.help(help) } else { a });
    }
    if lang == Lang::Zh {
        localize_zh(cmd, &name, missing);
    }
    for sub in cmd.get_subcommands_mut() {
        localize(sub, lang, missing);
    }
}

fn localize_zh(cmd: &mut Command, name: &str, missing: &mut Vec<String>) {
    let lang = Lang::Zh;
    let mut this = std::mem::take(cmd);
    match about(name) {
        Some(zh) => {
            this = this.about(zh).long_about(None);
        }
        None if this.get_about().is_some() => missing.push(format!("{name}: about")),
        None => {}
    }
    if let Some(zh) = after_help(name) {
        this = this.after_help(zh);
    } else if this.get_after_help().is_some() {
        missing.push(format!("{name}: after_help"));
    }
    // clap writes the section headings of `{all-args}` in English, so the
    // layout is spelled out: the sections this command has, in clap's order.
    let shown = |a: &&Arg| !a.is_hide_set();
    let mut sections = Vec::new();
    if this.has_subcommands() {
        sections.push((Word::Commands, "{subcommands}"));
    }
    if this.get_positionals().any(|a| shown(&a)) {
        sections.push((Word::Arguments, "{positionals}"));
    }
    if this
        .get_arguments()
        .any(|a| !a.is_positional() && shown(&a))
    {
        sections.push((Word::Options, "{options}"));
    }
    let sections = sections
        .iter()
        .map(|(heading, tag)| format!("{}：\n{tag}", heading.text(lang)))
        .collect::<Vec<_>>()
        .join("\n\n");
    this = this
        .subcommand_value_name(value_name("COMMAND").unwrap_or("COMMAND"))
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}{{usage}}\n\n{sections}{{after-help}}",
            super::usage::usage_heading(lang)
        ))
        .mut_args(|arg| localize_arg(arg, name, missing));
    // clap writes `[OPTIONS]` into the usage line itself.
    let usage = this.render_usage().to_string();
    let usage = usage
        .strip_prefix(super::usage::usage_heading(Lang::En).as_str())
        .unwrap_or(&usage)
        .trim()
        .replace(
            Word::OptionsInUsage.text(Lang::En),
            Word::OptionsInUsage.text(lang),
        );
    *cmd = this.override_usage(usage);
}

fn localize_arg(arg: Arg, command: &str, missing: &mut Vec<String>) -> Arg {
    let lang = Lang::Zh;
    let id = arg.get_id().to_string();
    let mut help = match arg_help(command, &id) {
        Some(zh) => zh.to_string(),
        None => {
            if !arg.is_hide_set() {
                missing.push(format!("{command}: --{id}"));
            }
            arg.get_help().map(ToString::to_string).unwrap_or_default()
        }
    };
    let mut arg = arg;
    let takes_values = arg.get_action().takes_values();
    if let Some(names) = arg
        .get_value_names()
        .filter(|_| takes_values)
        .map(<[_]>::to_vec)
    {
        let zh: Vec<Str> = names
            .iter()
            .map(|n| match value_name(n.as_str()) {
                Some(zh) => Str::from(zh),
                None => {
                    missing.push(format!("{command}: --{id} <{n}>"));
                    n.clone()
                }
            })
            .collect();
        arg = arg.value_names(zh);
    } else if takes_values && arg.get_possible_values().is_empty() {
        let n = id.to_uppercase();
        if let Some(zh) = value_name(&n) {
            arg = arg.value_name(zh);
        }
    }
    let values = arg.get_possible_values();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        let list = values
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| value_with_chinese(v, value_help(&id, v.get_name())))
            .collect::<Vec<_>>()
            .join("、");
        help.push_str(&format!(" [{}：{list}]", Word::Values.text(lang)));
        for v in values.iter().filter(|v| v.get_help().is_some()) {
            if value_help(&id, v.get_name()).is_none() {
                missing.push(format!("{command}: --{id} {}", v.get_name()));
            }
        }
        arg = arg.hide_possible_values(true);
    }
    let defaults = arg.get_default_values();
    if takes_values && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        let list = defaults
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        help.push_str(&format!(" [{}：{list}]", Word::Default.text(lang)));
        arg = arg.hide_default_value(true);
    }
    arg.help(help).long_help(None)
}

/// `category（类别）`, `key（按分组的值…）`: the value, then what a clerk
/// may type instead, or what it means.
fn value_with_chinese(v: &PossibleValue, meaning: Option<&str>) -> String {
    let chinese: Vec<&str> = v
        .get_name_and_aliases()
        .filter(|a| super::has_cjk(a))
        .collect();
    match (chinese.is_empty(), meaning) {
        (_, Some(meaning)) if chinese.is_empty() => format!("{}（{meaning}）", v.get_name()),
        (_, Some(meaning)) => format!("{}（{}，{meaning}）", v.get_name(), chinese.join("、")),
        (false, None) => format!("{}（{}）", v.get_name(), chinese.join("、")),
        (true, None) => v.get_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_has_chinese_help() {
        let missing = missing();
        assert!(
            missing.is_empty(),
            "no Chinese help (add it to src/i18n/help.rs):\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn an_argument_without_chinese_help_is_named() {
        let mut cmd = Command::new("totals")
            .about("Totals")
            .arg(
                Arg::new("nonesuch")
                    .long("nonesuch")
                    .value_name("FILE")
                    .help("Write to FILE"),
            )
            .arg(Arg::new("secret").long("secret").hide(true));
        cmd.build();
        let mut missing = Vec::new();
        localize(&mut cmd, Lang::Zh, &mut missing);
        assert_eq!(missing, ["totals: --nonesuch"]);
    }

    #[test]
    fn the_layout_words_are_chinese() {
        for w in [
            Word::Options,
            Word::Arguments,
            Word::Commands,
            Word::OptionsInUsage,
            Word::Default,
            Word::Values,
        ] {
            crate::i18n::tests::assert_chinese(w.text(Lang::En), w.text(Lang::Zh));
        }
    }

    #[test]
    fn the_localized_command_is_consistent() {
        localized_command(Lang::Zh).debug_assert();
        localized_command(Lang::En).debug_assert();
    }
}
