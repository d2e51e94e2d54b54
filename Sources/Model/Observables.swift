/// The summary quantities every trajectory reports, defined once (the columns of
/// `TrajectoryColumns`; docs/model.md §5).
///
/// a = the signal coefficient; b = the spike's coefficient; c = the coefficient of the
/// remaining ("bulk") directions; q = bulk mass; T = tr(MΣ); alignment = a²/‖W‖²_F;
/// spike_alignment = a²/(a² + b²). On the manifold a, b, c are the signed group
/// coefficients; read back from a trajectory table (or measured on a dense W) they are the
/// magnitudes, which is all a dense run can measure (docs/model.md §7).
public struct Observables: Sendable, Equatable {
    public var a, b, c, q, trace, loss, alignment, spikeAlignment: Double

    public init(a: Double, b: Double, c: Double, q: Double, trace: Double, loss: Double, alignment: Double,
                spikeAlignment: Double) {
        self.a = a
        self.b = b
        self.c = c
        self.q = q
        self.trace = trace
        self.loss = loss
        self.alignment = alignment
        self.spikeAlignment = spikeAlignment
    }
}
