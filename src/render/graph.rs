//! The pipeline graph: an inline SVG drawn at build time, no JavaScript (issue 6).
//!
//! One node per action, an arrow per `needs` entry (from the needed action to the one
//! that needs it), each node classed by the highest security level of its outputs, the
//! requested actions outlined and each job's status shown on its node.
//!
//! Layout is layered (Sugiyama-style), top to bottom:
//! 1. cycles are broken by reversing the back edges of a depth-first search in file
//!    order (an invalid file may have them; they are drawn dashed, pointing up);
//! 2. layer = longest path from the sources;
//! 3. each layer is ordered by barycenter sweeps, then wrapped into sub-rows of at most
//!    [`MAX_PER_ROW`] nodes so wide pipelines stay readable; layer and sub-row become
//!    the node's *rank*;
//! 4. an edge spanning more than one rank passes through reserved narrow slots
//!    ("dummies") in the ranks between; edges of one node share them (a trunk), so a
//!    fan-out of 150 costs one slot per rank, not 150;
//! 5. ranks (nodes and dummies) are ordered again by barycenter sweeps, then placed by
//!    isotonic regression: each item as near the mean of its neighbours as the fixed
//!    spacing allows, so nothing overlaps;
//! 6. edges are cubic Béziers between ranks and straight lines through the dummies, so
//!    no edge crosses a node.
//!
//! Colours are CSS classes only (`templates/static/style.css`); all text is escaped.
//! Output is deterministic: same input, same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write;

use crate::pipeline::Pipeline;
use crate::render::highlight::escape;

const NODE_W: f64 = 180.0;
const NODE_H: f64 = 44.0;
const DUMMY_W: f64 = 8.0;
const NODE_GAP: f64 = 24.0;
const DUMMY_GAP: f64 = 10.0;
const SUBROW_GAP: f64 = 36.0;
const LAYER_GAP: f64 = 56.0;
const MARGIN: f64 = 16.0;
/// The most nodes side by side; a wider layer wraps into sub-rows.
pub const MAX_PER_ROW: usize = 6;
/// Longer names are cut with an ellipsis (the full name is in the node's `<title>`).
const NAME_CHARS: usize = 24;
const SWEEPS: usize = 4;
/// How much more a dummy's wish counts than a node's when placing a rank.
const DUMMY_WEIGHT: f64 = 8.0;

/// The pipeline graph as an inline `<svg>` element: `lay_out` and `GraphLayout::svg` in
/// one step.
pub fn pipeline_svg(
    pipeline: &Pipeline,
    requested: &[String],
    job_status: &dyn Fn(&str) -> Option<String>,
    action_href: &dyn Fn(&str) -> String,
) -> String {
    lay_out(pipeline).svg(pipeline, requested, job_status, action_href)
}

/// Where a pipeline's nodes and edges go. It depends on the pipeline alone, so it is
/// computed once per distinct project.yaml however many requests draw it. `layout` is
/// None for a graph too large to draw.
pub struct GraphLayout {
    graph: Graph,
    layout: Option<Layout>,
}

/// Beyond this many bytes of SVG (a pipeline of several hundred actions), a graph is not
/// legible however it is laid out, and not drawn at all: its page says so.
pub const MAX_GRAPH_BYTES: usize = 1_500_000;

/// Fewer bytes of SVG than an action's node, an edge, and a point of an edge's route
/// through a rank each take: what a graph's size is judged by before it is laid out.
/// Laying out an edge costs a point per rank it spans, so a pipeline of a few thousand
/// actions with long `needs` lists would cost time and memory growing with the product
/// of the two, for a graph far beyond `MAX_GRAPH_BYTES`.
const LEAST_BYTES: (usize, usize, usize) = (100, 60, 8);

pub fn lay_out(pipeline: &Pipeline) -> GraphLayout {
    let graph = Graph::new(pipeline);
    let (node, edge, _) = LEAST_BYTES;
    let drawable = graph.n * node + graph.edges.len() * edge <= MAX_GRAPH_BYTES;
    let layout = drawable.then(|| Layout::new(&graph)).flatten();
    GraphLayout { graph, layout }
}

impl GraphLayout {
    /// Whether the graph was laid out: small enough to be drawn.
    pub fn is_drawn(&self) -> bool {
        self.layout.is_some()
    }

    /// The SVG for one request. `pipeline` is the one laid out; `requested` names the
    /// actions the job request asked for (already expanded); `job_status` gives the status
    /// of the request's job for an action, if it has one (e.g. `succeeded`, `failed`);
    /// `action_href` the link to the action's block (escaped here).
    pub fn svg(
        &self,
        pipeline: &Pipeline,
        requested: &[String],
        job_status: &dyn Fn(&str) -> Option<String>,
        action_href: &dyn Fn(&str) -> String,
    ) -> String {
        let Some(layout) = &self.layout else {
            return String::new();
        };
        let graph = &self.graph;
        let requested: HashSet<&str> = requested.iter().map(String::as_str).collect();
        let mut svg = String::with_capacity(600 + 700 * graph.n + 200 * graph.edges.len());
        let (width, height) = (num(layout.width), num(layout.height));
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pipeline-graph\" \
             viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\
             <title>Pipeline graph: {} action{}, {} dependenc{}</title>\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
             <path d=\"M0,0L10,5L0,10z\"/></marker></defs>",
            graph.n,
            if graph.n == 1 { "" } else { "s" },
            graph.edges.len(),
            if graph.edges.len() == 1 { "y" } else { "ies" },
        );
        svg.push('\n');
        for (e, edge) in graph.edges.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<path class=\"edge{}\" data-from=\"{}\" data-to=\"{}\" d=\"{}\" marker-end=\"url(#arrow)\"/>",
                if edge.back { " back" } else { "" },
                escape(&pipeline.actions[edge.from].name),
                escape(&pipeline.actions[edge.to].name),
                layout.edge_path(e, edge.back),
            );
        }
        for (i, action) in pipeline.actions.iter().enumerate() {
            let name = action.name.as_str();
            let level = action
                .outputs
                .iter()
                .filter(|(_, outputs)| !outputs.is_empty())
                .map(|(level, _)| *level)
                .min()
                .map_or("none", |l| l.as_str());
            let status = job_status(name);
            let is_requested = requested.contains(name);
            let mut class = format!("node lvl-{level}");
            if is_requested {
                class.push_str(" req");
            }
            if let Some(status) = &status {
                class.push_str(" status-");
                class.push_str(&class_token(status));
            }
            let mut title = escape(name);
            let _ = write!(title, "\noutputs: {}", level.replace('_', " "));
            if let Some(status) = &status {
                let _ = write!(title, "\njob: {}", escape(status));
            }
            if is_requested {
                title.push_str("\nrequested");
            }
            let (x, y) = (layout.x[i] - NODE_W / 2.0, layout.rank_top[layout.rank[i]]);
            let cx = num(layout.x[i]);
            let _ = write!(
                svg,
                "<a href=\"{}\"><g class=\"{class}\" id=\"graph-node-{i}\" data-action=\"{}\">\
                 <title>{title}</title>\
                 <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>\
                 <text class=\"name\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                escape(&action_href(name)),
                escape(name),
                num(x),
                num(y),
                num(NODE_W),
                num(NODE_H),
                num(y + 18.0),
                escape(&truncate(name, NAME_CHARS)),
            );
            if let Some(status) = &status {
                let _ = write!(
                    svg,
                    "<circle class=\"badge\" cx=\"{}\" cy=\"{}\" r=\"4\"/>\
                     <text class=\"status\" x=\"{}\" y=\"{}\">{}</text>",
                    num(x + 12.0),
                    num(y + 31.0),
                    num(x + 22.0),
                    num(y + 35.0),
                    escape(&truncate(status, NAME_CHARS - 3)),
                );
            }
            svg.push_str("</g></a>\n");
        }
        svg.push_str("</svg>");
        svg
    }
}

/// A coordinate with one decimal, without a trailing `.0` or a negative zero.
fn num(v: f64) -> String {
    // In tenths, with integer formatting: float formatting was a fifth of a build's time.
    let tenths = (v * 10.0).round() as i64;
    let (whole, tenth) = (tenths / 10, (tenths % 10).abs());
    let sign = if tenths < 0 && whole == 0 { "-" } else { "" };
    if tenth == 0 {
        format!("{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

/// `text` cut to at most `max` characters, the last an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// A status as a class-name token: lower case, anything but `[a-z0-9_-]` as `_`.
fn class_token(status: &str) -> String {
    status
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A `needs` entry: `from` is needed by `to` (indices in file order).
#[derive(Debug, Clone, Copy)]
struct Edge {
    from: usize,
    to: usize,
    /// Closes a cycle: laid out reversed (`to` above `from`).
    back: bool,
}

impl Edge {
    /// `(upper, lower)` in the layout.
    fn layout(self) -> (usize, usize) {
        if self.back {
            (self.to, self.from)
        } else {
            (self.from, self.to)
        }
    }
}

/// Actions and the `needs` that name one: unknown names, self-needs and repeats are
/// dropped; the first of duplicate action names takes the edges.
struct Graph {
    n: usize,
    edges: Vec<Edge>,
}

impl Graph {
    fn new(pipeline: &Pipeline) -> Graph {
        let n = pipeline.actions.len();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, action) in pipeline.actions.iter().enumerate() {
            index.entry(action.name.as_str()).or_insert(i);
        }
        let mut seen = HashSet::new();
        let mut edges = Vec::new();
        for (to, action) in pipeline.actions.iter().enumerate() {
            for need in &action.needs {
                if let Some(&from) = index.get(need.as_str())
                    && from != to
                    && seen.insert((from, to))
                {
                    edges.push(Edge {
                        from,
                        to,
                        back: false,
                    });
                }
            }
        }
        // Break cycles: an iterative depth-first search in file order; an edge to a node
        // still on the stack closes a cycle.
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, edge) in edges.iter().enumerate() {
            out[edge.from].push(e);
        }
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            Open,
            Done,
        }
        let mut state = vec![State::New; n];
        for root in 0..n {
            if state[root] != State::New {
                continue;
            }
            state[root] = State::Open;
            let mut stack = vec![(root, 0)];
            while let Some((v, next)) = stack.last_mut() {
                let v = *v;
                if let Some(&e) = out[v].get(*next) {
                    *next += 1;
                    let w = edges[e].to;
                    match state[w] {
                        State::New => {
                            state[w] = State::Open;
                            stack.push((w, 0));
                        }
                        State::Open => edges[e].back = true,
                        State::Done => {}
                    }
                } else {
                    state[v] = State::Done;
                    stack.pop();
                }
            }
        }
        Graph { n, edges }
    }
}

/// Where everything goes. Items `0..n` are the actions; items from `n` are dummies.
#[derive(Debug)]
struct Layout {
    /// Rank of each item.
    rank: Vec<usize>,
    /// Centre x of each item.
    x: Vec<f64>,
    /// Top y of each rank.
    rank_top: Vec<f64>,
    /// Number of actions (the first items).
    #[cfg(test)]
    n: usize,
    /// Each edge's items, upper to lower (layout direction).
    routes: Vec<Vec<usize>>,
    /// Port x of each segment `(upper item, lower item)`: (on upper, on lower).
    ports: HashMap<(usize, usize), (f64, f64)>,
    width: f64,
    height: f64,
}

impl Layout {
    /// The layout of `graph`, or None when its routes alone would make its SVG larger
    /// than `MAX_GRAPH_BYTES`.
    fn new(graph: &Graph) -> Option<Layout> {
        let n = graph.n;
        if n == 0 {
            return Some(Layout {
                rank: Vec::new(),
                x: Vec::new(),
                rank_top: Vec::new(),
                #[cfg(test)]
                n,
                routes: Vec::new(),
                ports: HashMap::new(),
                width: 2.0 * MARGIN,
                height: 2.0 * MARGIN,
            });
        }
        let layout_edges: Vec<(usize, usize)> = graph.edges.iter().map(|e| e.layout()).collect();

        // Layers: longest path from the sources (Kahn's order; the graph is acyclic now).
        let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(u, v) in &layout_edges {
            down[u].push(v);
            up[v].push(u);
        }
        let mut indegree: Vec<usize> = up.iter().map(Vec::len).collect();
        let mut queue: VecDeque<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
        let mut layer = vec![0usize; n];
        while let Some(u) = queue.pop_front() {
            for &v in &down[u] {
                layer[v] = layer[v].max(layer[u] + 1);
                indegree[v] -= 1;
                if indegree[v] == 0 {
                    queue.push_back(v);
                }
            }
        }
        let layer_count = layer.iter().max().map_or(0, |m| m + 1);
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
        for v in 0..n {
            layers[layer[v]].push(v);
        }
        let mut pos = vec![0.0; n];
        for members in &layers {
            set_positions(members, &mut pos);
        }
        for sweep in 0..SWEEPS {
            if sweep % 2 == 0 {
                for members in layers.iter_mut().skip(1) {
                    order_by_barycenter(members, &up, &mut pos, n);
                }
            } else {
                for members in layers.iter_mut().rev().skip(1) {
                    order_by_barycenter(members, &down, &mut pos, n);
                }
            }
        }

        // Ranks: each layer wrapped into balanced sub-rows.
        let mut ranks: Vec<Vec<usize>> = Vec::new();
        let mut layer_start: Vec<bool> = Vec::new();
        let mut wrapped: Vec<bool> = Vec::new();
        let mut rank = vec![0usize; n];
        // Each layer's ranks.
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        for members in &layers {
            let first = ranks.len();
            let rows = members.len().div_ceil(MAX_PER_ROW);
            let per_row = members.len().div_ceil(rows);
            for (row, chunk) in members.chunks(per_row).enumerate() {
                for &v in chunk {
                    rank[v] = ranks.len();
                }
                layer_start.push(row == 0);
                wrapped.push(rows > 1);
                ranks.push(chunk.to_vec());
            }
            groups.push(first..ranks.len());
        }

        // Dummies: an edge spanning ranks goes down its source's trunk or up its target's,
        // whichever node has more such edges.
        let node_rank = rank.clone();
        let span = |(u, v): (usize, usize)| node_rank[v] > node_rank[u] + 1;
        let mut long_out = vec![0usize; n];
        let mut long_in = vec![0usize; n];
        for &edge in layout_edges.iter().filter(|&&e| span(e)) {
            long_out[edge.0] += 1;
            long_in[edge.1] += 1;
        }
        // Trunk key: (node, is source trunk) → rank range.
        let trunk_of = |(u, v): (usize, usize)| {
            if long_out[u] >= long_in[v] {
                (u, true)
            } else {
                (v, false)
            }
        };
        let mut trunks: BTreeMap<(usize, bool), (usize, usize)> = BTreeMap::new();
        for &edge in layout_edges.iter().filter(|&&e| span(e)) {
            let (lo, hi) = (node_rank[edge.0] + 1, node_rank[edge.1] - 1);
            trunks
                .entry(trunk_of(edge))
                .and_modify(|r| *r = (r.0.min(lo), r.1.max(hi)))
                .or_insert((lo, hi));
        }
        let spans: usize = layout_edges
            .iter()
            .filter(|&&e| span(e))
            .map(|&(u, v)| node_rank[v] - node_rank[u] - 1)
            .sum();
        let trunk_points: usize = trunks.values().map(|&(lo, hi)| hi + 1 - lo).sum();
        let (node_bytes, edge_bytes, point_bytes) = LEAST_BYTES;
        let least =
            n * node_bytes + layout_edges.len() * edge_bytes + (spans + trunk_points) * point_bytes;
        if least > MAX_GRAPH_BYTES {
            return None;
        }
        let mut dummy: HashMap<((usize, bool), usize), usize> = HashMap::new();
        // The node each dummy's trunk hangs from (or leads to).
        let mut owner: Vec<usize> = Vec::new();
        for (&key, &(lo, hi)) in &trunks {
            for (r, members) in ranks.iter_mut().enumerate().take(hi + 1).skip(lo) {
                let item = rank.len();
                rank.push(r);
                owner.push(key.0);
                members.push(item);
                dummy.insert((key, r), item);
            }
        }
        let items = rank.len();
        let routes: Vec<Vec<usize>> = layout_edges
            .iter()
            .map(|&edge| {
                let mut route = vec![edge.0];
                if span(edge) {
                    let key = trunk_of(edge);
                    route.extend(
                        (node_rank[edge.0] + 1..node_rank[edge.1]).map(|r| dummy[&(key, r)]),
                    );
                }
                route.push(edge.1);
                route
            })
            .collect();
        let segments: BTreeSet<(usize, usize)> = routes
            .iter()
            .flat_map(|route| route.windows(2).map(|w| (w[0], w[1])))
            .collect();
        let mut up: Vec<Vec<usize>> = vec![Vec::new(); items];
        let mut down: Vec<Vec<usize>> = vec![Vec::new(); items];
        for &(a, b) in &segments {
            down[a].push(b);
            up[b].push(a);
        }

        // Order within ranks, dummies included. The sub-rows of a wrapped layer keep the
        // layer's order, with the dummies in a corridor down the middle.
        pos.resize(items, 0.0);
        for members in &ranks {
            set_positions(members, &mut pos);
        }
        for sweep in 0..SWEEPS {
            let (order, neighbours): (Vec<usize>, _) = if sweep % 2 == 0 {
                ((1..ranks.len()).collect(), &up)
            } else {
                ((0..ranks.len() - 1).rev().collect(), &down)
            };
            for r in order {
                if wrapped[r] {
                    corridor(&mut ranks[r], neighbours, &mut pos, n);
                } else {
                    order_by_barycenter(&mut ranks[r], neighbours, &mut pos, n);
                }
            }
        }

        // x: packed and centred, then pulled towards the neighbours' mean.
        let width = |item: usize| if item < n { NODE_W } else { DUMMY_W };
        let separation = |a: usize, b: usize| {
            (width(a) + width(b)) / 2.0 + if a < n && b < n { NODE_GAP } else { DUMMY_GAP }
        };
        let weight = |item: usize| if item < n { 1.0 } else { DUMMY_WEIGHT };
        let mut x = vec![0.0; items];
        for members in &ranks {
            let desired = vec![0.0; members.len()];
            place(members, &desired, &separation, &mut x, &weight);
        }
        let both: Vec<Vec<usize>> = (0..items)
            .map(|i| up[i].iter().chain(&down[i]).copied().collect())
            .collect();
        for sweep in 0..2 * SWEEPS + 1 {
            let (order, neighbours): (Vec<usize>, &Vec<Vec<usize>>) = match sweep % 2 {
                _ if sweep == 2 * SWEEPS => ((0..groups.len()).collect(), &both),
                0 => ((1..groups.len()).collect(), &up),
                _ => ((0..groups.len().saturating_sub(1)).rev().collect(), &down),
            };
            for g in order {
                let group = &ranks[groups[g].clone()];
                let mut desired: Vec<Vec<f64>> = group
                    .iter()
                    .map(|members| {
                        members
                            .iter()
                            .map(|&i| {
                                if i >= n {
                                    // A trunk runs straight below (or above) its node:
                                    // anchored there, not to the dummy before it.
                                    x[owner[i - n]]
                                } else {
                                    mean(neighbours[i].iter().map(|&j| x[j])).unwrap_or(x[i])
                                }
                            })
                            .collect()
                    })
                    .collect();
                if group.len() > 1 {
                    // A wrapped layer: every sub-row centred on the layer's wish, so the
                    // sub-rows line up rather than each following the one above.
                    let centre = mean(
                        group
                            .iter()
                            .zip(&desired)
                            .flat_map(|(m, d)| m.iter().zip(d).filter(|(i, _)| **i < n))
                            .map(|(_, &d)| d),
                    )
                    .unwrap_or(0.0);
                    for (members, wish) in group.iter().zip(&mut desired) {
                        let count = members.iter().filter(|&&i| i < n).count();
                        let mut slot = 0;
                        for (&i, d) in members.iter().zip(wish.iter_mut()) {
                            if i < n {
                                *d = centre
                                    + (slot as f64 - (count as f64 - 1.0) / 2.0)
                                        * (NODE_W + NODE_GAP);
                                slot += 1;
                            }
                        }
                    }
                }
                for (members, wish) in group.iter().zip(&desired) {
                    place(members, wish, &separation, &mut x, &weight);
                }
            }
        }
        let left = (0..items)
            .map(|i| x[i] - width(i) / 2.0)
            .fold(f64::INFINITY, f64::min);
        let right = (0..items)
            .map(|i| x[i] + width(i) / 2.0)
            .fold(f64::NEG_INFINITY, f64::max);
        for v in &mut x {
            *v += MARGIN - left;
        }
        let mut rank_top = Vec::with_capacity(ranks.len());
        let mut y = MARGIN;
        for (r, &start) in layer_start.iter().enumerate() {
            if r > 0 {
                y += NODE_H + if start { LAYER_GAP } else { SUBROW_GAP };
            }
            rank_top.push(y);
        }

        // Ports: a node's segments spread along its bottom (out) and top (in) edges,
        // in the order of the items at their other ends.
        let mut ports: HashMap<(usize, usize), (f64, f64)> = segments
            .iter()
            .map(|&(a, b)| ((a, b), (x[a], x[b])))
            .collect();
        let by_x = |list: &[usize]| {
            let mut list = list.to_vec();
            list.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
            list
        };
        for v in 0..n {
            let spread =
                |k: usize, i: usize| x[v] - NODE_W / 2.0 + NODE_W * (i + 1) as f64 / (k + 1) as f64;
            let outs = by_x(&down[v]);
            for (i, &b) in outs.iter().enumerate() {
                ports.get_mut(&(v, b)).expect("segment").0 = spread(outs.len(), i);
            }
            let ins = by_x(&up[v]);
            for (i, &a) in ins.iter().enumerate() {
                ports.get_mut(&(a, v)).expect("segment").1 = spread(ins.len(), i);
            }
        }

        Some(Layout {
            width: right - left + 2.0 * MARGIN,
            height: rank_top.last().copied().unwrap_or(MARGIN) + NODE_H + MARGIN,
            rank,
            x,
            rank_top,
            #[cfg(test)]
            n,
            routes,
            ports,
        })
    }

    /// The SVG path of edge `e`: a cubic Bézier across each gap between ranks, a straight
    /// line through each dummy; drawn upwards for a back edge so the arrow points at the
    /// action that needs the other.
    fn edge_path(&self, e: usize, back: bool) -> String {
        let route = &self.routes[e];
        // Points alternate: leave the upper item (its bottom), enter the lower (its top).
        let mut points = Vec::with_capacity(2 * route.len());
        for pair in route.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (xa, xb) = self.ports[&(a, b)];
            points.push((xa, self.rank_top[self.rank[a]] + NODE_H));
            points.push((xb, self.rank_top[self.rank[b]]));
        }
        if back {
            points.reverse();
        }
        // Curves between points 0→1, 2→3, …; lines between 1→2, 3→4, … (through dummies).
        let mut d = format!("M{},{}", num(points[0].0), num(points[0].1));
        for (i, pair) in points.windows(2).enumerate() {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            if i % 2 == 0 {
                let mid = num((y0 + y1) / 2.0);
                let _ = write!(
                    d,
                    "C{},{mid} {},{mid} {},{}",
                    num(x0),
                    num(x1),
                    num(x1),
                    num(y1)
                );
            } else {
                let _ = write!(d, "L{},{}", num(x1), num(y1));
            }
        }
        d
    }

    /// Each item's rectangle `(left, top, right, bottom)`: actions first, then dummies.
    #[cfg(test)]
    fn rects(&self) -> Vec<(f64, f64, f64, f64)> {
        (0..self.x.len())
            .map(|i| {
                let w = if i < self.n { NODE_W } else { DUMMY_W };
                let top = self.rank_top[self.rank[i]];
                (self.x[i] - w / 2.0, top, self.x[i] + w / 2.0, top + NODE_H)
            })
            .collect()
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Relative positions in `0..1` from the order of `members`.
fn set_positions(members: &[usize], pos: &mut [f64]) {
    let len = members.len() as f64;
    for (i, &v) in members.iter().enumerate() {
        pos[v] = (i as f64 + 0.5) / len;
    }
}

/// Sorts `members` by the mean position of their `neighbours` (a node without any keeps
/// its own); ties keep the current order (file order at first), so it is deterministic,
/// except that dummies (items from `n`) go to the middle of a tie, so a trunk runs
/// through the middle of the row of nodes that hang from it.
fn order_by_barycenter(
    members: &mut [usize],
    neighbours: &[Vec<usize>],
    pos: &mut [f64],
    n: usize,
) {
    let mut keyed: Vec<(f64, usize)> = members
        .iter()
        .map(|&v| {
            let key = mean(neighbours[v].iter().map(|&u| pos[u])).unwrap_or(pos[v]);
            (key, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut start = 0;
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        let (dummies, nodes): (Vec<usize>, Vec<usize>) =
            run.iter().map(|&(_, v)| v).partition(|&v| v >= n);
        let middle = nodes.len() / 2;
        let ordered = nodes[..middle]
            .iter()
            .chain(&dummies)
            .chain(&nodes[middle..]);
        for (slot, &v) in members[start..].iter_mut().zip(ordered) {
            *slot = v;
        }
        start += run.len();
    }
    set_positions(members, pos);
}

/// Orders a sub-row of a wrapped layer: its nodes as they are, its dummies by barycenter
/// in the middle of them.
fn corridor(members: &mut [usize], neighbours: &[Vec<usize>], pos: &mut [f64], n: usize) {
    let (mut dummies, nodes): (Vec<usize>, Vec<usize>) = members.iter().partition(|&&v| v >= n);
    order_by_barycenter(&mut dummies, neighbours, pos, n);
    let middle = nodes.len() / 2;
    let ordered = nodes[..middle]
        .iter()
        .chain(&dummies)
        .chain(&nodes[middle..]);
    for (slot, &v) in members.iter_mut().zip(ordered) {
        *slot = v;
    }
    set_positions(members, pos);
}

/// Sets the x of `members` (in order) as near `desired` as the separations allow, in the
/// weighted least-squares sense: isotonic regression (pool adjacent violators) on the
/// desired positions less each item's minimum offset from the first. Dummies weigh more,
/// so long edges and trunks run straight and the nodes move aside.
fn place(
    members: &[usize],
    desired: &[f64],
    separation: &dyn Fn(usize, usize) -> f64,
    x: &mut [f64],
    weight: &dyn Fn(usize) -> f64,
) {
    let mut offset = Vec::with_capacity(members.len());
    let mut total = 0.0;
    for (i, &v) in members.iter().enumerate() {
        if i > 0 {
            total += separation(members[i - 1], v);
        }
        offset.push(total);
    }
    // Blocks of (weighted sum, total weight, count), means non-decreasing.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for ((d, o), &v) in desired.iter().zip(&offset).zip(members) {
        let w = weight(v);
        blocks.push((w * (d - o), w, 1));
        while blocks.len() > 1 {
            let (s2, w2, c2) = blocks[blocks.len() - 1];
            let (s1, w1, c1) = blocks[blocks.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (s1 + s2, w1 + w2, c1 + c2);
        }
    }
    let mut i = 0;
    for (sum, total, count) in blocks {
        let value = sum / total;
        for _ in 0..count {
            x[members[i]] = value + offset[i];
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Action, Command, LineSpan, Output, PrivacyLevel};

    fn action(name: &str, needs: &[&str], level: Option<PrivacyLevel>) -> Action {
        Action {
            name: name.to_string(),
            run: Command {
                raw: "python:latest python a.py".into(),
                parts: vec!["python:latest".into(), "python".into(), "a.py".into()],
                image: "python".into(),
                tag: "latest".into(),
                args: "python a.py".into(),
            },
            needs: needs.iter().map(|s| s.to_string()).collect(),
            outputs: level
                .map(|l| {
                    vec![(
                        l,
                        vec![Output {
                            name: "out".into(),
                            pattern: format!("output/{name}.csv"),
                        }],
                    )]
                })
                .unwrap_or_default(),
            config: None,
            dummy_data_file: None,
            is_database_action: false,
            lines: LineSpan { start: 1, end: 1 },
        }
    }

    /// A pipeline from `(name, needs, level)` tuples.
    fn pipeline(actions: &[(&str, &[&str], Option<PrivacyLevel>)]) -> Pipeline {
        Pipeline::new(
            4.0,
            None,
            actions
                .iter()
                .map(|(name, needs, level)| action(name, needs, *level))
                .collect(),
            Vec::new(),
        )
    }

    /// xorshift64*: a tiny deterministic PRNG.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A random-ish DAG of `n` actions: each needs up to 3 earlier ones (a few none),
    /// levels cycling; sometimes an unknown need.
    fn random_pipeline(n: usize, seed: u64) -> Pipeline {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let names: Vec<String> = (0..n).map(|i| format!("action_{i:03}")).collect();
        let mut actions = Vec::new();
        for i in 0..n {
            let mut needs: Vec<String> = Vec::new();
            if i > 0 && rng.below(5) != 0 {
                for _ in 0..=rng.below(3) {
                    // Mostly recent actions, sometimes far back (long edges).
                    let j = if rng.below(3) == 0 {
                        rng.below(i)
                    } else {
                        i - 1 - rng.below(i.min(8))
                    };
                    needs.push(names[j].clone());
                }
            }
            if rng.below(20) == 0 {
                needs.push("no_such_action".into());
            }
            let level = [
                None,
                Some(PrivacyLevel::HighlySensitive),
                Some(PrivacyLevel::ModeratelySensitive),
                Some(PrivacyLevel::MinimallySensitive),
            ][rng.below(4)];
            let needs: Vec<&str> = needs.iter().map(String::as_str).collect();
            actions.push(action(&names[i], &needs, level));
        }
        Pipeline::new(4.0, None, actions, Vec::new())
    }

    /// Fan-out and fan-in: one cohort, `n` models on it, one summary of them all.
    /// A chain of `n` actions, each also needing the first: every edge from the first
    /// spans the ranks down to its action.
    fn chain_from_one(n: usize) -> Pipeline {
        let names: Vec<String> = (0..n).map(|i| format!("a_{i}")).collect();
        let actions = (0..n)
            .map(|i| {
                let needs: Vec<&str> = match i {
                    0 => vec![],
                    1 => vec!["a_0"],
                    _ => vec!["a_0", names[i - 1].as_str()],
                };
                action(&names[i], &needs, Some(PrivacyLevel::ModeratelySensitive))
            })
            .collect();
        Pipeline::new(4.0, None, actions, Vec::new())
    }

    /// A graph is laid out only when its SVG could be drawn: too many actions or edges
    /// are refused before any layout, and edges spanning many ranks (whose routes cost a
    /// point a rank) as soon as the ranks are known, so no pipeline costs time or memory
    /// growing with the product of its actions and edges.
    #[test]
    fn graphs_too_large_to_draw_are_not_laid_out() {
        assert!(lay_out(&chain_from_one(300)).is_drawn());
        let long_routes = lay_out(&chain_from_one(700));
        assert!(!long_routes.is_drawn(), "about 245,000 points of routes");
        assert_eq!(
            long_routes.svg(&chain_from_one(700), &[], &|_| None, &|a| a.into()),
            ""
        );
        assert!(
            !lay_out(&fan_pipeline(20_000)).is_drawn(),
            "too many actions"
        );
    }

    fn fan_pipeline(n: usize) -> Pipeline {
        let mut actions = vec![action(
            "generate_cohort",
            &[],
            Some(PrivacyLevel::HighlySensitive),
        )];
        let models: Vec<String> = (0..n).map(|i| format!("model_{i}")).collect();
        for name in &models {
            actions.push(action(
                name,
                &["generate_cohort"],
                Some(PrivacyLevel::ModeratelySensitive),
            ));
        }
        let all: Vec<&str> = models.iter().map(String::as_str).collect();
        actions.push(action(
            "summary",
            &all,
            Some(PrivacyLevel::MinimallySensitive),
        ));
        Pipeline::new(4.0, None, actions, Vec::new())
    }

    fn svg(p: &Pipeline) -> String {
        pipeline_svg(p, &[], &|_| None, &|name| format!("#action-{name}"))
    }

    fn valid_needs(p: &Pipeline) -> usize {
        let names: HashSet<&str> = p.actions.iter().map(|a| a.name.as_str()).collect();
        p.actions
            .iter()
            .map(|a| {
                let unique: HashSet<&str> = a
                    .needs
                    .iter()
                    .map(String::as_str)
                    .filter(|n| names.contains(n) && *n != a.name)
                    .collect();
                unique.len()
            })
            .sum()
    }

    fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    }

    fn assert_no_overlaps(p: &Pipeline) {
        let layout = Layout::new(&Graph::new(p)).expect("drawable");
        let rects = layout.rects();
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                assert!(
                    !overlap(rects[i], rects[j]),
                    "items {i} and {j} overlap: {:?} {:?}",
                    rects[i],
                    rects[j]
                );
            }
            let r = rects[i];
            assert!(r.0 >= MARGIN - 0.01 && r.2 <= layout.width - MARGIN + 0.01);
            assert!(r.1 >= MARGIN - 0.01 && r.3 <= layout.height - MARGIN + 0.01);
        }
    }

    /// Points along each edge's path, from the `d` attribute this module writes.
    fn path_points(d: &str) -> Vec<(f64, f64)> {
        let mut points = Vec::new();
        let mut current = (0.0, 0.0);
        let pair = |s: &str| {
            let (x, y) = s.split_once(',').expect("x,y");
            (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap())
        };
        let mut rest = d;
        while !rest.is_empty() {
            let command = rest.as_bytes()[0];
            let end = rest[1..]
                .find(['M', 'C', 'L'])
                .map_or(rest.len(), |i| i + 1);
            let args: Vec<(f64, f64)> = rest[1..end].split(' ').map(pair).collect();
            match command {
                b'M' => current = args[0],
                b'L' => {
                    for k in 0..=10 {
                        let t = k as f64 / 10.0;
                        points.push((
                            current.0 + t * (args[0].0 - current.0),
                            current.1 + t * (args[0].1 - current.1),
                        ));
                    }
                    current = args[0];
                }
                b'C' => {
                    let (p0, p1, p2, p3) = (current, args[0], args[1], args[2]);
                    for k in 0..=20 {
                        let t = k as f64 / 20.0;
                        let u = 1.0 - t;
                        let b = |a: f64, b: f64, c: f64, d: f64| {
                            u * u * u * a
                                + 3.0 * u * u * t * b
                                + 3.0 * u * t * t * c
                                + t * t * t * d
                        };
                        points.push((b(p0.0, p1.0, p2.0, p3.0), b(p0.1, p1.1, p2.1, p3.1)));
                    }
                    current = p3;
                }
                _ => panic!("unexpected path command in {d}"),
            }
            rest = &rest[end..];
        }
        points
    }

    const SIZES: [usize; 4] = [1, 10, 50, 160];

    #[test]
    fn a_node_per_action_and_an_edge_per_need() {
        for (seed, n) in SIZES.into_iter().enumerate() {
            let p = random_pipeline(n, seed as u64);
            let out = svg(&p);
            assert_eq!(out.matches("<g class=\"node").count(), n);
            assert_eq!(out.matches("<path class=\"edge").count(), valid_needs(&p));
        }
    }

    #[test]
    fn parsed_with_scraper_the_svg_has_the_nodes_and_edges() {
        let p = random_pipeline(50, 7);
        let html = format!("<!doctype html><html><body>{}</body></html>", svg(&p));
        let doc = scraper::Html::parse_document(&html);
        let select = |s: &str| scraper::Selector::parse(s).unwrap();
        assert_eq!(doc.select(&select("svg[role=img]")).count(), 1);
        assert_eq!(doc.select(&select("svg > title")).count(), 1);
        assert_eq!(doc.select(&select("marker#arrow")).count(), 1);
        assert_eq!(doc.select(&select("g.node")).count(), 50);
        assert_eq!(doc.select(&select("a > g.node > rect")).count(), 50);
        assert_eq!(doc.select(&select("path.edge")).count(), valid_needs(&p));
        // Every edge joins two drawn actions; every node links to its action.
        let names: HashSet<&str> = doc
            .select(&select("g.node"))
            .map(|g| g.value().attr("data-action").unwrap())
            .collect();
        assert_eq!(names.len(), 50);
        for path in doc.select(&select("path.edge")) {
            assert!(names.contains(path.value().attr("data-from").unwrap()));
            assert!(names.contains(path.value().attr("data-to").unwrap()));
            assert_eq!(path.value().attr("marker-end"), Some("url(#arrow)"));
        }
        for a in doc.select(&select("a")) {
            let g = a.select(&select("g.node")).next().unwrap();
            let name = g.value().attr("data-action").unwrap();
            assert_eq!(
                a.value().attr("href"),
                Some(format!("#action-{name}").as_str())
            );
        }
    }

    #[test]
    fn nodes_never_overlap() {
        for (seed, n) in SIZES.into_iter().enumerate() {
            for extra in 0..3 {
                assert_no_overlaps(&random_pipeline(n, 100 * extra + seed as u64));
            }
        }
        assert_no_overlaps(&fan_pipeline(150));
        let independent: Vec<(String, &[&str], Option<PrivacyLevel>)> =
            (0..160).map(|i| (format!("a{i}"), &[][..], None)).collect();
        let independent: Vec<(&str, &[&str], Option<PrivacyLevel>)> = independent
            .iter()
            .map(|(n, needs, l)| (n.as_str(), *needs, *l))
            .collect();
        assert_no_overlaps(&pipeline(&independent));
    }

    #[test]
    fn edges_do_not_cross_other_nodes() {
        for p in [
            random_pipeline(50, 3),
            random_pipeline(160, 4),
            fan_pipeline(150),
        ] {
            let out = svg(&p);
            let layout = Layout::new(&Graph::new(&p)).expect("drawable");
            let rects = &layout.rects()[..p.actions.len()];
            for path in out.lines().filter(|l| l.starts_with("<path class=\"edge")) {
                let d = path
                    .split(" d=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                let from = path
                    .split("data-from=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                let to = path
                    .split("data-to=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                for (px, py) in path_points(d) {
                    for (i, r) in rects.iter().enumerate() {
                        let name = &p.actions[i].name;
                        if name == from || name == to {
                            continue;
                        }
                        let inside =
                            px > r.0 + 0.5 && px < r.2 - 0.5 && py > r.1 + 0.5 && py < r.3 - 0.5;
                        assert!(!inside, "edge {from}→{to} crosses {name} at {px},{py}");
                    }
                }
            }
        }
    }

    #[test]
    fn wide_layers_wrap() {
        let layout = Layout::new(&Graph::new(&fan_pipeline(150))).expect("drawable");
        // Six nodes a row, two trunks in the corridor down the middle.
        let max_w = MAX_PER_ROW as f64 * (NODE_W + NODE_GAP)
            + 2.0 * (DUMMY_W + 2.0 * DUMMY_GAP)
            + 2.0 * MARGIN;
        assert!(layout.width <= max_w, "width {}", layout.width);
        // 150 nodes in 25 rows, plus the cohort and the summary.
        assert_eq!(layout.rank_top.len(), 27);
        // One trunk each for the fan-out and the fan-in: few dummies.
        assert!(
            layout.x.len() - 152 <= 2 * (150 / MAX_PER_ROW),
            "{} dummies",
            layout.x.len() - 152
        );
    }

    #[test]
    fn hostile_names_are_escaped() {
        let p = pipeline(&[
            ("<script>alert(1)</script>", &[], None),
            ("b\"onload=\"x", &["<script>alert(1)</script>"], None),
        ]);
        let out = pipeline_svg(
            &p,
            &["<script>alert(1)</script>".into()],
            &|_| Some("<b>\"failed\"".into()),
            &|name| format!("#action-{name}"),
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<b>"));
        assert!(!out.contains("\"onload"));
        assert!(out.contains("data-action=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(out.contains("href=\"#action-&lt;script&gt;"));
        assert!(out.contains("data-from=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(out.contains("status-_b__failed_"));
        let doc = scraper::Html::parse_fragment(&out);
        let g = scraper::Selector::parse("g.node").unwrap();
        assert_eq!(doc.select(&g).count(), 2);
    }

    #[test]
    fn levels_requests_and_statuses_are_classes() {
        let p = pipeline(&[
            ("cohort", &[], Some(PrivacyLevel::HighlySensitive)),
            (
                "model",
                &["cohort"],
                Some(PrivacyLevel::ModeratelySensitive),
            ),
            ("table", &["model"], Some(PrivacyLevel::MinimallySensitive)),
            ("noop", &[], None),
        ]);
        let mut both = action("both", &["cohort"], Some(PrivacyLevel::MinimallySensitive));
        both.outputs.insert(
            0,
            (
                PrivacyLevel::HighlySensitive,
                vec![Output {
                    name: "x".into(),
                    pattern: "x".into(),
                }],
            ),
        );
        let mut empty = action("empty_level", &[], None);
        empty
            .outputs
            .push((PrivacyLevel::HighlySensitive, Vec::new()));
        let mut p = p;
        p.actions.push(both);
        p.actions.push(empty);
        let out = pipeline_svg(
            &p,
            &["model".into(), "table".into()],
            &|name| match name {
                "model" => Some("succeeded".into()),
                "table" => Some("Failed".into()),
                _ => None,
            },
            &|name| format!("#action-{name}"),
        );
        let node = |name: &str| {
            let marker = format!("data-action=\"{name}\"");
            let line = out.lines().find(|l| l.contains(&marker)).unwrap();
            line.split("class=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(node("cohort"), "node lvl-highly_sensitive");
        assert_eq!(
            node("model"),
            "node lvl-moderately_sensitive req status-succeeded"
        );
        assert_eq!(
            node("table"),
            "node lvl-minimally_sensitive req status-failed"
        );
        assert_eq!(node("noop"), "node lvl-none");
        assert_eq!(node("both"), "node lvl-highly_sensitive");
        assert_eq!(node("empty_level"), "node lvl-none");
        assert!(out.contains(">succeeded</text>"));
        assert!(out.contains(">Failed</text>"));
        assert!(out.contains("id=\"graph-node-0\""));
        assert!(out.contains("id=\"graph-node-5\""));
    }

    #[test]
    fn long_names_are_cut_with_the_full_name_in_the_title() {
        let long = "generate_study_population_with_a_very_long_name";
        let out = svg(&pipeline(&[(long, &[], None)]));
        assert!(out.contains(&format!("<title>{long}\n")));
        assert!(out.contains(">generate_study_populati…</text>"));
    }

    #[test]
    fn cycles_self_needs_and_unknown_needs_do_not_break_it() {
        let p = pipeline(&[
            ("a", &["c", "missing"], None),
            ("b", &["a", "a"], None),
            ("c", &["b", "c"], None),
            ("d", &["d", "nope", "b"], None),
            ("e", &["e"], None),
        ]);
        let out = svg(&p);
        assert_eq!(out.matches("<g class=\"node").count(), 5);
        // a←c, b←a, c←b, d←b: the rest are unknown, repeated or self-needs.
        assert_eq!(out.matches("<path class=\"edge").count(), 4);
        assert_eq!(out.matches("class=\"edge back\"").count(), 1);
        assert_no_overlaps(&p);
        // A larger tangle: every action needs the next one, round in a circle.
        let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let mut actions = Vec::new();
        for i in 0..40 {
            actions.push(action(
                &names[i],
                &[&names[(i + 1) % 40], &names[(i * 7) % 40]],
                None,
            ));
        }
        let p = Pipeline::new(4.0, None, actions, Vec::new());
        assert_eq!(svg(&p).matches("<g class=\"node").count(), 40);
        assert_no_overlaps(&p);
    }

    #[test]
    fn empty_and_duplicate_names() {
        let out = svg(&pipeline(&[]));
        assert!(out.starts_with("<svg") && out.ends_with("</svg>"));
        assert!(!out.contains("class=\"node"));
        let p = pipeline(&[("a", &[], None), ("a", &[], None), ("b", &["a"], None)]);
        let out = svg(&p);
        assert_eq!(out.matches("<g class=\"node").count(), 3);
        assert_eq!(out.matches("<path class=\"edge").count(), 1);
        assert_no_overlaps(&p);
    }

    #[test]
    fn output_is_deterministic() {
        for (seed, n) in SIZES.into_iter().enumerate() {
            let p = random_pipeline(n, seed as u64 + 11);
            assert_eq!(svg(&p), svg(&p.clone()));
        }
        assert_eq!(svg(&fan_pipeline(150)), svg(&fan_pipeline(150)));
    }

    #[test]
    fn numbers_are_short_and_fixed() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-0.05), "-0.1");
        assert_eq!(num(-12.75), "-12.8");
        assert_eq!(num(1e4), "10000");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(3.96), "4");
    }

    #[test]
    #[ignore = "prints sizes; writes sample pages to $GRAPH_SAMPLES or the temp directory"]
    fn sizes() {
        let dir = std::env::var_os("GRAPH_SAMPLES")
            .map_or_else(std::env::temp_dir, std::path::PathBuf::from);
        for (name, p) in [
            ("random10", random_pipeline(10, 1)),
            ("random160", random_pipeline(160, 3)),
            ("fan150", fan_pipeline(150)),
        ] {
            let requested: Vec<String> = p
                .actions
                .iter()
                .step_by(3)
                .map(|a| a.name.clone())
                .collect();
            let statuses = ["succeeded", "failed", "running", "pending"];
            let out = pipeline_svg(
                &p,
                &requested,
                &|name| {
                    requested
                        .iter()
                        .position(|r| r == name)
                        .map(|i| statuses[i % 4].to_string())
                },
                &|name| format!("#action-{name}"),
            );
            println!("{name}: {} bytes", out.len());
            let page = format!(
                "<!doctype html><meta charset=utf-8><link rel=stylesheet href=style.css><div class=graph-scroll>{out}</div>"
            );
            std::fs::write(dir.join(format!("graph-{name}.html")), page).unwrap();
        }
    }
}
