//! Charts drawn on the server as SVG text: no chart library, nothing to download, readable
//! without JavaScript. Each chart is an image with a title and a description that says every
//! value in words (its text alternative); the pages add the numbers as a table too.

use crate::components::{count, escape_html};
use leptos::prelude::*;
use std::fmt::Write as _;

/// One bar or part: its label, its value and a class for its colour (the label and value are
/// always written, so colour is never the only carrier).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datum {
    pub label: String,
    pub value: u32,
    pub class: &'static str,
}

pub fn datum(label: impl Into<String>, value: u32, class: &'static str) -> Datum {
    Datum {
        label: label.into(),
        value,
        class,
    }
}

fn open_svg(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape_html(title),
        escape_html(desc)
    );
}

/// The values in words: "critical 3, high 12".
pub fn in_words(data: &[Datum]) -> String {
    data.iter()
        .map(|d| format!("{} {}", d.label, d.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Horizontal bars, one per datum, scaled to the largest, each under its label (labels are
/// rule titles and such: they get the whole width).
pub fn bars(id: &str, title: &str, data: &[Datum]) -> String {
    const W: u32 = 440;
    const ROW: u32 = 36;
    let height = ROW * data.len().max(1) as u32 + 4;
    let max = data.iter().map(|d| d.value).max().unwrap_or(0).max(1);
    let mut out = String::new();
    open_svg(
        &mut out,
        id,
        W,
        height,
        title,
        &format!("{title}: {}.", in_words(data)),
    );
    let span = W - 60;
    for (i, d) in data.iter().enumerate() {
        let y = ROW * i as u32;
        let w = (u64::from(d.value) * u64::from(span) / u64::from(max)) as u32;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" class=\"label\">{}</text>\
             <rect x=\"0\" y=\"{}\" width=\"{}\" height=\"13\" class=\"bar {}\"></rect>\
             <text x=\"{}\" y=\"{}\" class=\"value\">{}</text>",
            y + 12,
            escape_html(&d.label),
            y + 17,
            w,
            d.class,
            w + 6,
            y + 28,
            d.value
        );
    }
    out.push_str("</svg>");
    out
}

/// One bar split into parts (a share of a whole), with its legend under it.
pub fn share(id: &str, title: &str, data: &[Datum]) -> String {
    const W: u32 = 440;
    let total: u64 = data.iter().map(|d| u64::from(d.value)).sum();
    let legend_rows = data.len() as u32;
    let height = 34 + 20 * legend_rows;
    let mut out = String::new();
    let words = data
        .iter()
        .map(|d| {
            format!(
                "{} {} ({} %)",
                d.label,
                d.value,
                whole_percent(d.value, total as u32)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    open_svg(
        &mut out,
        id,
        W,
        height,
        title,
        &format!("{title}: {words}."),
    );
    let mut x = 0u64;
    for d in data {
        let w = (u64::from(d.value) * u64::from(W))
            .checked_div(total)
            .unwrap_or(0);
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"2\" width=\"{w}\" height=\"22\" class=\"bar {}\"></rect>",
            d.class
        );
        x += w;
    }
    for (i, d) in data.iter().enumerate() {
        let y = 34 + 20 * i as u32;
        let _ = write!(
            out,
            "<rect x=\"0\" y=\"{}\" width=\"12\" height=\"12\" class=\"bar {}\"></rect>\
             <text x=\"18\" y=\"{}\" class=\"label\">{} — {} ({} %)</text>",
            y,
            d.class,
            y + 11,
            escape_html(&d.label),
            d.value,
            whole_percent(d.value, total as u32)
        );
    }
    out.push_str("</svg>");
    out
}

/// A line over time: `points` are (label, value), oldest first.
pub fn trend(id: &str, title: &str, points: &[(String, u32)]) -> String {
    let points: Vec<(String, f64)> = points
        .iter()
        .map(|(l, v)| (l.clone(), f64::from(*v)))
        .collect();
    trend_of(id, title, &points, &|v| format!("{v:.0}"), "on")
}

/// A line over time of values written by `show` (a percentage, a rate with one decimal); the
/// text alternative says the first and last values `at` their labels ("on" a day, "in" a month).
pub fn trend_of(
    id: &str,
    title: &str,
    points: &[(String, f64)],
    show: &dyn Fn(f64) -> String,
    at: &str,
) -> String {
    const W: u32 = 440;
    const H: u32 = 170;
    const BOTTOM: u32 = 26;
    let highest = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    // Room on the left for the highest value's label ("68.3 %"), at about 7 units a character.
    let left: u32 = (show(highest).chars().count() as u32 * 7 + 10).max(44);
    let max = if highest > 0.0 { highest } else { 1.0 };
    let words = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "{title}: {} {at} {}, {} {at} {}; highest {}.",
            show(a.1),
            a.0,
            show(b.1),
            b.0,
            show(highest)
        ),
        _ => format!("{title}: no data."),
    };
    let mut out = String::new();
    open_svg(&mut out, id, W, H, title, &words);
    let plot_w = W - left - 10;
    let plot_h = H - BOTTOM - 10;
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"10\" x2=\"{left}\" y2=\"{}\" class=\"axis\"></line>\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"></line>\
         <text x=\"{}\" y=\"16\" text-anchor=\"end\" class=\"label\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">0</text>",
        10 + plot_h,
        10 + plot_h,
        left + plot_w,
        10 + plot_h,
        left - 6,
        escape_html(&show(highest)),
        left - 6,
        10 + plot_h
    );
    let step = if points.len() > 1 {
        plot_w as f64 / (points.len() - 1) as f64
    } else {
        0.0
    };
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                f64::from(left) + step * i as f64,
                10.0 + f64::from(plot_h) * (1.0 - p.1 / max),
            )
        })
        .collect();
    let line = coords
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let _ = write!(
        out,
        "<polyline points=\"{line}\" class=\"line\"></polyline>"
    );
    for ((x, y), p) in coords.iter().zip(points) {
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" class=\"dot\"><title>{}: {}</title></circle>",
            escape_html(&p.0),
            escape_html(&show(p.1))
        );
    }
    for (i, p) in points.iter().enumerate() {
        if i == 0 || i + 1 == points.len() || i % 4 == 0 {
            // The first and last labels stay inside the picture.
            let anchor = if i == 0 {
                "start"
            } else if i + 1 == points.len() {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"label\">{}</text>",
                coords[i].0,
                H - 6,
                escape_html(&p.0)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// `part` of `whole` in whole per cent (0 of nothing).
pub fn whole_percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        ((u64::from(part) * 100 + u64::from(whole) / 2) / u64::from(whole)) as u32
    }
}

/// The numbers of a chart as the table under it shows them: (label, value as written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartRows(pub Vec<(String, String)>);

impl From<Vec<Datum>> for ChartRows {
    fn from(data: Vec<Datum>) -> Self {
        Self(
            data.into_iter()
                .map(|d| (d.label, count(u64::from(d.value))))
                .collect(),
        )
    }
}

impl From<Vec<(String, String)>> for ChartRows {
    fn from(rows: Vec<(String, String)>) -> Self {
        Self(rows)
    }
}

/// A chart with its numbers as a table (for those who read numbers, and for screen readers that
/// skip images).
#[component]
pub fn Chart(
    svg: String,
    #[prop(into)] caption: String,
    #[prop(into)] data: ChartRows,
) -> impl IntoView {
    view! {
        <figure class="chart-figure">
            <div class="chart-svg" inner_html=svg></div>
            <details class="chart-data">
                <summary>{format!("{caption}: the numbers")}</summary>
                <table>
                    <tbody>
                        {data
                            .0
                            .into_iter()
                            .map(|(label, value)| {
                                view! {
                                    <tr>
                                        <th scope="row">{label}</th>
                                        <td class="num">{value}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_says_every_value_in_its_description_and_escapes_labels() {
        let svg = bars(
            "c1",
            "Open findings by severity",
            &[datum("critical", 3, "bad"), datum("<high>", 12, "warn")],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("aria-labelledby=\"c1-t c1-d\""));
        assert!(svg.contains(
            "<desc id=\"c1-d\">Open findings by severity: critical 3, &lt;high&gt; 12.</desc>"
        ));
        assert!(!svg.contains("<high>"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn bars_are_scaled_to_the_largest() {
        let svg = bars(
            "c",
            "t",
            &[datum("a", 10, "x"), datum("b", 5, "x"), datum("c", 0, "x")],
        );
        let widths: Vec<u32> = svg
            .split("width=\"")
            .skip(2)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(widths[0], 380, "the largest fills the span");
        assert_eq!(widths[1], 190);
        assert_eq!(widths[2], 0, "nothing is drawn for zero");
    }

    #[test]
    fn shares_add_up_to_the_whole_width_and_say_their_percentages() {
        let svg = share(
            "s",
            "Readiness",
            &[datum("ready", 1, "ok"), datum("not ready", 3, "bad")],
        );
        assert!(svg.contains("ready 1 (25 %), not ready 3 (75 %)"));
        assert!(svg.contains("x=\"0\" y=\"2\" width=\"110\""));
        assert!(svg.contains("x=\"110\" y=\"2\" width=\"330\""));
    }

    #[test]
    fn a_trend_names_its_first_and_last_points() {
        let points: Vec<(String, u32)> = (0..12).map(|i| (format!("w{i}"), 100 - i * 5)).collect();
        let svg = trend("t", "Open findings", &points);
        assert!(svg.contains("Open findings: 100 on w0, 45 on w11; highest 100."));
        assert_eq!(svg.matches("<circle").count(), 12);
        assert!(svg.contains("<polyline"));
    }
}
