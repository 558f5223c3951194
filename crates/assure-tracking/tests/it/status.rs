//! The status rule, case by case: every target kind, every status, and the edges (no
//! interval, a single value, the target date passed, no England value).

use assure_plan::Indicator;
use assure_plan::observation::{Observation, ObservationKey};
use assure_tracking::status::{Likelihood, Status, assess};
use assure_tracking::time::date_time;

/// An indicator from the lines of its TOML table (after `[indicator]`).
fn indicator(body: &str) -> Indicator {
    let text = format!(
        "id = \"x\"\noutcome = 1\nline = 1\nstatement = \"s\"\nmeasure = \"m\"\ngeography = \"Kent and Medway\"\n{body}"
    );
    toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn obs(period: &str, value: f64, ci: Option<(f64, f64)>) -> Observation {
    Observation {
        key: ObservationKey {
            indicator: "x".into(),
            area: "kent-medway-ics".into(),
            period: period.into(),
            breakdown: String::new(),
        },
        value: Some(value),
        lower: ci.map(|c| c.0),
        upper: ci.map(|c| c.1),
        numerator: None,
        denominator: None,
        note: None,
        source: None,
        illustrative: false,
        line: 0,
    }
}

fn published() -> f64 {
    date_time("2024-06-12").unwrap()
}

const SMOKING: &str = "unit = \"percent\"\npolarity = \"lower_is_better\"\n[baseline]\nvalue = 10.2\n\
                       [target]\nkind = \"at_most\"\nvalue = 6.0\nby = \"2028/29\"";

fn judge(body: &str, headline: &[Observation], england: &[Observation]) -> assure_tracking::Assessment {
    let i = indicator(body);
    let t = i.tracked()[0];
    assess(t, headline, england, published())
}

#[test]
fn at_most_each_status_against_the_trajectory() {
    // Expected at the end of 2024/25 on the line from 10.2 (June 2024) to 6.0 (March 2029): 9.5.
    let a = judge(SMOKING, &[obs("2024/25", 9.0, Some((8.5, 9.4)))], &[]);
    assert_eq!(a.status, Status::OnTrack, "{}", a.reason);
    let expected = a.expected.unwrap();
    assert!((expected - 9.50).abs() < 0.01, "{expected}");
    assert!(
        a.reason.starts_with(
            "Latest 9.0% (8.5–9.4) in 2024/25; expected 9.5% on the trajectory from 10.2% (the plan's baseline) to 6.0% by 2028/29"
        ),
        "{}",
        a.reason
    );
    let a = judge(SMOKING, &[obs("2024/25", 9.8, Some((9.0, 10.6)))], &[]);
    assert_eq!(a.status, Status::AtRisk, "{}", a.reason);
    let a = judge(SMOKING, &[obs("2024/25", 10.5, Some((10.2, 10.8)))], &[]);
    assert_eq!(a.status, Status::OffTrack, "{}", a.reason);
    let a = judge(SMOKING, &[obs("2024/25", 5.9, Some((5.5, 6.3)))], &[]);
    assert_eq!(a.status, Status::Achieved, "{}", a.reason);
    assert!(a.reason.contains("the target is no more than 6.0% by 2028/29"), "{}", a.reason);
}

#[test]
fn at_most_without_an_interval_uses_the_baseline() {
    let a = judge(SMOKING, &[obs("2024/25", 9.8, None)], &[]);
    assert_eq!(a.status, Status::AtRisk, "{}", a.reason);
    assert!(a.reason.contains("no confidence interval"), "{}", a.reason);
    let a = judge(SMOKING, &[obs("2024/25", 10.5, None)], &[]);
    assert_eq!(a.status, Status::OffTrack, "{}", a.reason);
}

#[test]
fn no_data_and_a_passed_target_date() {
    let a = judge(SMOKING, &[], &[]);
    assert_eq!(a.status, Status::NoData);
    assert!(a.reason.contains("No data yet for Kent and Medway"), "{}", a.reason);
    let a = judge(SMOKING, &[obs("2029/30", 7.0, Some((6.5, 7.5)))], &[]);
    assert_eq!(a.status, Status::OffTrack, "{}", a.reason);
    assert!(a.reason.contains("was not met by its date"), "{}", a.reason);
}

#[test]
fn at_least_more_than_and_less_than() {
    let gld = "unit = \"percent\"\npolarity = \"higher_is_better\"\n[baseline]\nvalue = 65.8\n\
               [target]\nkind = \"at_least\"\nvalue = 70.0\nby = \"2028\"";
    assert_eq!(judge(gld, &[obs("2025", 70.0, Some((69.0, 71.0)))], &[]).status, Status::Achieved);
    assert_eq!(judge(gld, &[obs("2025", 68.5, Some((67.9, 69.1)))], &[]).status, Status::OnTrack);
    assert_eq!(judge(gld, &[obs("2025", 66.0, Some((65.5, 66.5)))], &[]).status, Status::OffTrack);
    let more = gld.replace("at_least", "more_than");
    assert_eq!(judge(&more, &[obs("2025", 70.0, Some((69.0, 71.0)))], &[]).status, Status::OnTrack);
    let less = SMOKING.replace("at_most", "less_than");
    assert_eq!(judge(&less, &[obs("2024/25", 6.0, Some((5.8, 6.2)))], &[]).status, Status::OnTrack);
    assert_eq!(judge(&less, &[obs("2024/25", 5.99, Some((5.8, 6.2)))], &[]).status, Status::Achieved);
}

#[test]
fn maintain_is_met_unless_significantly_worse() {
    let body = "unit = \"percent\"\npolarity = \"higher_is_better\"\n[baseline]\nvalue = 63.0\n\
                [target]\nkind = \"maintain\"\nvalue = 63.0\nby = \"2028\"";
    assert_eq!(judge(body, &[obs("2025", 62.0, Some((61.0, 63.5)))], &[]).status, Status::OnTrack);
    assert_eq!(judge(body, &[obs("2025", 60.0, Some((59.0, 61.0)))], &[]).status, Status::OffTrack);
    assert_eq!(judge(body, &[obs("2025", 62.0, None)], &[]).status, Status::AtRisk);
    assert_eq!(judge(body, &[obs("2028", 62.5, Some((61.0, 64.0)))], &[]).status, Status::Achieved);
}

#[test]
fn below_baseline_takes_the_baseline_period_from_the_data() {
    let body = "unit = \"rate\"\npolarity = \"lower_is_better\"\n[baseline]\nperiod = \"2024\"\n\
                [target]\nkind = \"below_baseline\"\nby = \"2028\"";
    let base = obs("2024", 100.0, Some((95.0, 105.0)));
    let cases = [
        (90.0, (85.0, 94.0), Status::Achieved),
        (98.0, (93.0, 103.0), Status::OnTrack),
        (101.0, (96.0, 106.0), Status::AtRisk),
        (110.0, (106.0, 114.0), Status::OffTrack),
    ];
    for (v, ci, status) in cases {
        let a = judge(body, &[base.clone(), obs("2025", v, Some(ci))], &[]);
        assert_eq!(a.status, status, "{v}: {}", a.reason);
        assert!(a.reason.contains("the value for 2024"), "{}", a.reason);
    }
    // A single value is only the baseline: nothing to judge yet.
    let a = judge(body, &[base], &[]);
    assert_eq!(a.status, Status::NoData, "{}", a.reason);
    assert!(a.reason.contains("No value after the baseline yet"), "{}", a.reason);
}

#[test]
fn national_compares_with_englands_value_for_the_same_period() {
    let body = "unit = \"percent\"\npolarity = \"higher_is_better\"\n[target]\nkind = \"national\"\nby = \"2028/29\"\noffset = 0.0";
    let area = [obs("2024/25", 40.0, Some((38.0, 42.0)))];
    let england = |v: f64| {
        vec![Observation {
            key: ObservationKey { area: "england".into(), ..area[0].key.clone() },
            ..obs("2024/25", v, None)
        }]
    };
    assert_eq!(judge(body, &area, &england(39.0)).status, Status::OnTrack);
    assert_eq!(judge(body, &area, &england(41.0)).status, Status::AtRisk);
    let a = judge(body, &area, &england(45.0));
    assert_eq!(a.status, Status::OffTrack, "{}", a.reason);
    assert_eq!(a.comparison, assure_stats::Comparison::Worse);
    let a = judge(body, &area, &[]);
    assert_eq!(a.status, Status::NoData, "{}", a.reason);
    assert!(a.reason.contains("no England value for 2024/25"), "{}", a.reason);
    // An offset: the gap is to be 5 points below England's.
    let gap = "unit = \"score\"\npolarity = \"lower_is_better\"\n[target]\nkind = \"national\"\nby = \"2028/29\"\noffset = -5.0";
    let a = judge(gap, &[obs("2024/25", 12.0, Some((11.0, 13.0)))], &england(18.0));
    assert_eq!(a.goal, Some(13.0));
    assert_eq!(a.status, Status::OnTrack, "{}", a.reason);
}

#[test]
fn zero_counts_the_tolerance_and_the_direction() {
    let body = "unit = \"count\"\npolarity = \"lower_is_better\"\n[target]\nkind = \"zero\"";
    assert_eq!(judge(body, &[obs("2024", 0.0, None)], &[]).status, Status::Achieved);
    assert_eq!(judge(body, &[obs("2023", 8.0, None), obs("2024", 5.0, None)], &[]).status, Status::AtRisk);
    assert_eq!(judge(body, &[obs("2023", 8.0, None), obs("2024", 9.0, None)], &[]).status, Status::OffTrack);
    assert_eq!(judge(body, &[obs("2024", 3.0, None)], &[]).status, Status::OffTrack);
}

#[test]
fn qualitative_indicators_are_not_judged_by_number() {
    let body = "unit = \"qualitative\"\npolarity = \"higher_is_better\"\n[target]\nkind = \"qualitative\"";
    let a = judge(body, &[obs("2024", 1.0, None)], &[]);
    assert_eq!(a.status, Status::NoData);
    assert!(a.reason.contains("milestones"), "{}", a.reason);
}

#[test]
fn three_values_give_a_projection_to_the_target_date() {
    let falling = [
        obs("2021/22", 10.0, Some((9.8, 10.2))),
        obs("2022/23", 9.0, Some((8.8, 9.2))),
        obs("2023/24", 8.1, Some((7.9, 8.3))),
    ];
    let a = judge(SMOKING, &falling, &[]);
    let p = a.projection.expect("a projection");
    assert_eq!(p.points, 3);
    assert!(p.value < 6.0, "{p:?}");
    assert_eq!(p.likelihood, Likelihood::Likely, "{p:?}");
    assert!(a.reason.contains("likely to be met"), "{}", a.reason);
    let flat = [obs("2021/22", 10.0, None), obs("2022/23", 10.3, None), obs("2023/24", 9.9, None)];
    let p = judge(SMOKING, &flat, &[]).projection.unwrap();
    assert_ne!(p.likelihood, Likelihood::Likely, "{p:?}");
    // Two values: no projection.
    assert!(judge(SMOKING, &falling[..2], &[]).projection.is_none());
}

/// Where the plan gives no baseline value, the value nearest its publication (June 2024)
/// is the baseline, not the oldest value the data holds, and the reason names it.
#[test]
fn without_a_stated_baseline_the_value_nearest_publication_is_the_baseline() {
    let body = "unit = \"percent\"\npolarity = \"lower_is_better\"\n[target]\nkind = \"at_most\"\nvalue = 6.0\nby = \"2028/29\"";
    let series = [
        obs("2016/17", 5.0, Some((4.8, 5.2))),
        obs("2023/24", 10.0, Some((9.8, 10.2))),
        obs("2024/25", 9.9, Some((9.7, 10.1))),
    ];
    let a = judge(body, &series, &[]);
    let base = a.baseline.as_ref().unwrap();
    assert_eq!((base.value, base.from_data), (10.0, true));
    assert_eq!(base.label, "the value nearest the plan's publication, for 2023/24");
    assert!(a.reason.contains("from 10.0% (the value nearest the plan's publication, for 2023/24)"), "{}", a.reason);
    // Judged from 2016's 5.0% this would have been achieved in all but name; from 2023/24 it is behind.
    assert_ne!(a.status, Status::Achieved, "{}", a.reason);
}

/// The plain sentence leads with what it means, then the numbers in their unit, and tells
/// apart two values that would round equal.
#[test]
fn the_plain_sentence_reads_as_words_with_units() {
    let a = judge(SMOKING, &[obs("2023/24", 10.4, Some((10.1, 10.7))), obs("2024/25", 9.9, Some((9.7, 10.1)))], &[]);
    let i = indicator(SMOKING);
    let t = i.tracked()[0];
    let text = assure_tracking::plain::sentence(&t, &a);
    assert_eq!(a.status, Status::OffTrack, "{}", a.reason);
    assert_eq!(
        text,
        "Behind where it should be, though getting better: m was 9.9% in Kent and Medway in 2024/25; to reach 6.0% or less by 2028/29 it should now be about 9.5%."
    );
    // 9.52% against an expected 9.50%: both shown to two decimals.
    let a = judge(SMOKING, &[obs("2024/25", 9.52, Some((9.3, 9.7)))], &[]);
    let text = assure_tracking::plain::sentence(&t, &a);
    assert!(text.contains("was 9.52%") && text.contains("about 9.50%"), "{text}");
    // No data, and a qualitative target, in words too.
    let a = judge(SMOKING, &[], &[]);
    assert_eq!(
        assure_tracking::plain::sentence(&t, &a),
        "No data yet: nothing has been recorded for m in Kent and Medway."
    );
}
