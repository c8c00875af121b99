//! Every word of the tables, in English and in Chinese, in one place. The
//! Chinese is what a district report prints (类别, 单位, 帮扶人, 乡镇 …).
//! Sentences (warnings, verdicts, errors, help) are in [`crate::i18n`].

pub use crate::i18n::Lang;
use crate::values::Status;

/// A label of human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    // Dimensions.
    Category,
    Unit,
    MemberId,
    MemberName,
    HouseholdId,
    Head,
    Blank,
    Township,
    Village,
    Cause,
    Status,
    Year,
    Quarter,
    Month,
    // Measures.
    Deliveries,
    HouseholdsReached,
    Goods,
    Cash,
    Total,
    // Summary.
    Households,
    PairedHouseholds,
    LiftedHouseholds,
    Members,
    Units,
    Pairings,
    Item,
    Value,
    // Import.
    File,
    Kind,
    Encoding,
    Read,
    New,
    Updated,
    Unchanged,
    /// What `--replace` made a ledger stop holding (not the status 销户).
    Dropped,
    Skipped,
    Rejected,
    // Records.
    IdNumber,
    Size,
    LiftedOn,
    Phone,
    Role,
    Since,
    Until,
    Date,
    Note,
    LastDelivery,
    DaysSince,
    Never,
    Poor,
    Lifted,
    Removed,
    GrandTotal,
    Finding,
    DeliveryOutsidePairing,
    PairingWithoutDelivery,
    MemberWithoutHousehold,
    RepeatedDelivery,
    Times,
    PairingsTitle,
    DeliveriesList,
    TotalsByCategory,
    NoFindings,
    MemberPhone,
    HouseholdPhone,
    // A ledger's life.
    Ledger,
    Ledgers,
    HistoryTitle,
    Import,
    Old,
    New_,
    Yes,
    No,
}

impl Label {
    /// The word for a household's status.
    pub fn of_status(status: Status) -> Label {
        match status {
            Status::Poor => Label::Poor,
            Status::Lifted => Label::Lifted,
            Status::Removed => Label::Removed,
        }
    }

    pub fn text(self, lang: Lang) -> &'static str {
        let (en, zh) = self.pair();
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    fn pair(self) -> (&'static str, &'static str) {
        use Label::*;
        match self {
            Category => ("category", "类别"),
            Unit => ("unit", "单位"),
            MemberId => ("member", "帮扶人编号"),
            MemberName => ("name", "帮扶人"),
            HouseholdId => ("household", "户编号"),
            Head => ("head", "户主"),
            Blank => ("(blank)", "（空）"),
            Township => ("township", "乡镇"),
            Village => ("village", "村"),
            Cause => ("cause", "致贫原因"),
            Status => ("status", "状态"),
            Year => ("year", "年份"),
            Quarter => ("quarter", "季度"),
            Month => ("month", "月份"),
            Deliveries => ("deliveries", "次数"),
            HouseholdsReached => ("households", "户数"),
            Goods => ("goods", "物资"),
            Cash => ("cash", "资金"),
            Total => ("total", "合计"),
            Households => ("households", "贫困户"),
            PairedHouseholds => ("paired households", "包保贫困户"),
            LiftedHouseholds => ("lifted households", "已脱贫户"),
            Members => ("members", "帮扶人"),
            Units => ("units", "单位"),
            Pairings => ("pairings", "结对"),
            Item => ("item", "项目"),
            Value => ("value", "数值"),
            File => ("file", "文件"),
            Kind => ("kind", "类型"),
            Encoding => ("encoding", "编码"),
            Read => ("read", "读取"),
            New => ("new", "新增"),
            Updated => ("updated", "更新"),
            Unchanged => ("unchanged", "未变"),
            Dropped => ("removed", "移除"),
            Skipped => ("skipped", "跳过"),
            Rejected => ("rejected", "拒绝"),
            IdNumber => ("ID number", "身份证号"),
            Size => ("size", "人口"),
            LiftedOn => ("lifted on", "脱贫日期"),
            Phone => ("phone", "电话"),
            Role => ("role", "职务"),
            Since => ("since", "开始日期"),
            Until => ("until", "结束日期"),
            Date => ("date", "日期"),
            Note => ("note", "内容"),
            LastDelivery => ("last delivery", "最近帮扶"),
            DaysSince => ("days since", "间隔天数"),
            Never => ("never", "从未"),
            Poor => ("poor", "贫困"),
            Lifted => ("lifted", "已脱贫"),
            Removed => ("removed", "销户"),
            GrandTotal => ("total", "合计"),
            Finding => ("finding", "问题"),
            DeliveryOutsidePairing => (
                "delivery by a member not paired with the household that day",
                "帮扶人当日未与该户结对",
            ),
            PairingWithoutDelivery => ("pairing with no delivery", "结对后无帮扶记录"),
            MemberWithoutHousehold => ("member with no household", "帮扶人无结对户"),
            RepeatedDelivery => (
                "entered more than once in one ledger (pasted twice?)",
                "同一台账中同一条帮扶记录重复录入（是否重复粘贴？）",
            ),
            Times => ("times", "录入次数"),
            PairingsTitle => ("Pairings", "结对情况"),
            DeliveriesList => ("Deliveries", "帮扶记录"),
            TotalsByCategory => ("Totals by category", "分类合计"),
            NoFindings => ("no findings", "未发现问题"),
            MemberPhone => ("member phone", "帮扶人电话"),
            HouseholdPhone => ("household phone", "户主电话"),
            Ledger => ("ledger", "台账"),
            Ledgers => ("Ledgers", "所在台账"),
            HistoryTitle => ("History", "变更记录"),
            Import => ("import", "导入编号"),
            Old => ("old", "原值"),
            New_ => ("new", "新值"),
            Yes => ("yes", "是"),
            No => ("no", "否"),
        }
    }
}

/// The one-sentence headline of a report.
pub fn headline(lang: Lang, paired: i64, total: &str) -> String {
    match lang {
        Lang::En => {
            let households = if paired == 1 {
                "household"
            } else {
                "households"
            };
            format!("{paired} {households} paired; goods and funds delivered: {total} yuan")
        }
        Lang::Zh => format!("共包保贫困户{paired}户，送物资、资金共计{total}元"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_reads_like_the_district_report() {
        assert_eq!(
            headline(Lang::Zh, 193, "71,350.00"),
            "共包保贫困户193户，送物资、资金共计71,350.00元"
        );
        assert_eq!(
            headline(Lang::En, 193, "71,350.00"),
            "193 households paired; goods and funds delivered: 71,350.00 yuan"
        );
        assert_eq!(
            headline(Lang::En, 1, "0.00"),
            "1 household paired; goods and funds delivered: 0.00 yuan"
        );
    }
}
