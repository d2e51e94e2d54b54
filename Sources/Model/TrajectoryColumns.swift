/// The one column schema of a trajectory table, for both backends (docs/outputs.md lists the
/// columns with their meanings). Every trajectory starts with `shared` — same names, same
/// order, same meaning (the `Observables`, docs/model.md §5; a, b, c as magnitudes, §7) — and
/// each backend appends its own columns after them. Readers find columns by name
/// (`Table.column(_:)`), never by position.
public enum TrajectoryColumns {
    /// step, a, b, c, q, loss (population), alignment = a²/‖W‖²_F, spike_alignment = a²/(a² + b²).
    public static let shared = ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment"]

    /// The statistics of `shared` (everything but step): what `compare` sets side by side.
    public static var sharedStatistics: [String] { Array(shared.dropFirst()) }

    // MARK: theory (map, flows, large-d map)

    /// The `theory` columns after `shared`: T = tr(MΣ); then `time` for the flows; the signed
    /// per-group `s_<name>` for non-spiked models; with switching = both the `*_smoothed` twins;
    /// last the signed coefficients.
    public static func theory(flow: Bool = false, groups: [String] = [], smoothed: Bool = false) -> [String] {
        var columns = shared
        columns.reserveCapacity(shared.count + 2 + groups.count + (smoothed ? smoothedStatistics.count : 0) + signed.count)
        columns.append("T")
        if flow { columns.append("time") }
        columns.append(contentsOf: groups.map { "s_\($0)" })
        if smoothed { columns.append(contentsOf: smoothedStatistics.map { $0 + "_smoothed" }) }
        columns.append(contentsOf: signed)
        return columns
    }

    /// The statistics a `*_smoothed` column repeats for the smoothed-sign flow, in `shared` order.
    static let smoothedStatistics = ["a", "b", "c", "q", "loss", "alignment"]

    /// The signed coefficients s_a, s_b, s_c (a, b, c are their magnitudes): always last.
    static let signed = ["a_signed", "b_signed", "c_signed"]

    // MARK: simulate (dense)

    /// The `simulate` columns: `shared`, then train_loss (the loss the gradient was taken on)
    /// and wall_time (s since the repetition started; 0 without wall time).
    public static let simulation = shared + ["train_loss", "wall_time"]

    /// With `--update-spectrum`, after `simulation`: the smallest and largest singular value of
    /// the update u of the step that produced the row (0 at step 0, as the map's `update_<g>`).
    public static let updateSpectrum = ["update_sigma_min", "update_sigma_max"]
}
