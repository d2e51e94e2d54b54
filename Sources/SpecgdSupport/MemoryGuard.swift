import Foundation

/// What a run will hold in memory at its peak, summed from the buffers it allocates
/// (matrices, samples, workspaces, the rows it keeps and the CSV text it builds). Counted in
/// `Double` so that sizes like d·m with d = 10⁹ cannot overflow. An estimate, not an
/// accounting: it is meant to be within a small factor, so that a run that cannot fit is
/// refused before it allocates anything (`MemoryLimit.check`).
public struct MemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var bytes: Double
    }

    private(set) var parts: [Part] = []

    public init() {}

    /// Total bytes.
    public var bytes: Double { parts.reduce(0) { $0 + $1.bytes } }

    package mutating func add(_ name: String, bytes: Double) {
        guard bytes > 0 else { return }
        if let i = parts.firstIndex(where: { $0.name == name }) { parts[i].bytes += bytes } else {
            parts.append(Part(name: name, bytes: bytes))
        }
    }

    /// `count` doubles (8 bytes each).
    package mutating func add(_ name: String, doubles count: Double) {
        add(name, bytes: 8 * count)
    }

    public static func + (lhs: MemoryEstimate, rhs: MemoryEstimate) -> MemoryEstimate {
        var sum = lhs
        for part in rhs.parts { sum.add(part.name, bytes: part.bytes) }
        return sum
    }

    /// "8.0 GB (4 d×m matrices 8.0 GB, …)": the total and its largest parts (at most three).
    public var description: String {
        let major = parts.filter { $0.bytes >= 0.01 * bytes }.sorted { $0.bytes > $1.bytes }.prefix(3)
        let detail = major.map { "\($0.name) \(Self.format($0.bytes))" }.joined(separator: ", ")
        return Self.format(bytes) + (detail.isEmpty ? "" : " (\(detail))")
    }

    /// Decimal units, three significant digits: 512 B, 3.2 kB, 8.00 GB, 1.60 TB.
    public static func format(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "\(bytes) B" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(Int(value)) B" }
        return String(format: value >= 100 ? "%.0f %@" : (value >= 10 ? "%.1f %@" : "%.2f %@"), value, units[unit])
    }

    /// Bytes of `rows` table rows of `columns` values as the toolkit keeps them (one Swift
    /// array per row: 8 bytes a value plus ≈ 48 bytes of header and allocator rounding).
    package static func tableBytes(rows: Double, columns: Int) -> Double {
        rows * (8 * Double(columns) + 48)
    }

    /// Bytes of the CSV text of such a table (≈ 22 characters a value with its separator).
    static func csvBytes(rows: Double, columns: Int) -> Double {
        rows * Double(columns) * csvBytesPerValue
    }

    static let csvBytesPerValue = 22.0

    /// Keeping `rows` rows of `columns` values and writing them as one CSV: the rows, the
    /// CSV text and its UTF-8 copy (the whole file is built in memory before it is written).
    package static func recorded(rows: Double, columns: Int, name: String = "recorded rows") -> MemoryEstimate {
        var estimate = MemoryEstimate()
        let label = "\(name) (\(count(rows)) × \(columns) columns)"
        estimate.add(label, bytes: tableBytes(rows: rows, columns: columns))
        estimate.add("CSV text (\(format(csvBytes(rows: rows, columns: columns))) on disk)",
                     bytes: 2 * csvBytes(rows: rows, columns: columns))
        return estimate
    }

    /// 1000 → "1000", 1e11 → "1e+11".
    static func count(_ value: Double) -> String {
        value < 1e7 ? String(Int(value)) : String(format: "%.3g", value)
    }
}

/// How much memory a run may plan to use: by default a fraction of the machine's physical
/// memory (or of the cgroup's limit, when a container or scheduler sets a smaller one);
/// `--memory-limit GB` sets it explicitly.
public struct MemoryLimit: Sendable, Equatable {
    public var bytes: Double
    /// Where the limit comes from, for the message ("half of the 16.0 GB of physical memory").
    var origin: String

    public init(bytes: Double, origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    /// The fraction of physical memory a run may plan to use unless told otherwise.
    static let defaultFraction = 0.5

    /// `--memory-limit GB` (decimal gigabytes).
    static func gigabytes(_ value: Double) -> MemoryLimit {
        MemoryLimit(bytes: value * 1e9, origin: "--memory-limit \(Table.format(value))")
    }

    /// `defaultFraction` of the physical memory; with no readable figure, no limit.
    public static var `default`: MemoryLimit {
        guard let total = physicalMemory() else { return MemoryLimit(bytes: .infinity, origin: "unknown physical memory") }
        return MemoryLimit(bytes: defaultFraction * total,
                           origin: "half of the \(MemoryEstimate.format(total)) of physical memory")
    }

    /// `--memory-limit` if given, else the default.
    public static func resolve(gigabytes: Double?) -> MemoryLimit {
        gigabytes.map(Self.gigabytes) ?? .default
    }

    /// min(physical memory from sysconf, the address-space limit (ulimit -v), cgroup v2
    /// memory.max / v1 limit_in_bytes when set).
    public static func physicalMemory() -> Double? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        var total: Double? = pages > 0 && size > 0 ? Double(pages) * Double(size) : nil
        // An address-space cap (ulimit -v) bounds what the process can allocate at all.
        var cap = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &cap) == 0, cap.rlim_cur != rlim_t.max {
            total = min(total ?? Double(cap.rlim_cur), Double(cap.rlim_cur))
        }
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0 else { continue }
            total = min(total ?? value, value)
        }
        return total
    }

    /// Refuses (one-line InputError) a run whose estimate exceeds the limit. `what` names the run.
    public func check(_ estimate: MemoryEstimate, for what: String) throws {
        // A size no Double holds (an output count from --t-end 1e308): say which part, not "inf B".
        if let endless = estimate.parts.first(where: { !$0.bytes.isFinite }) {
            throw InputError("\(what) needs more memory than can be counted (\(endless.name)); use smaller sizes")
        }
        guard estimate.bytes > bytes else { return }
        throw InputError("\(what) needs an estimated \(estimate) of memory, above the limit of "
                         + "\(MemoryEstimate.format(bytes)) (\(origin)); use smaller sizes or record fewer rows (--every) "
                         + "or raise --memory-limit GB")
    }

    /// Bytes a text input (a spectrum, a config, Newton–Schulz coefficients) of `size` bytes
    /// costs to read: the file's bytes, its text, the fields it is split into and the values
    /// parsed from it — measured ≈ 30 bytes a byte of file for a spectrum (a 20 MB file peaked
    /// at 588 MB), which also bounds JSON.
    static let bytesPerInputByte = 30.0

    /// Refuses, before it is read, an input file whose reading alone would exceed the limit:
    /// one line naming `option` (`--spectrum`), the file's size and the estimate.
    public func checkInput(_ path: String, option: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }  // the reader says why
        var estimate = MemoryEstimate()
        let size = Double(info.st_size)
        estimate.add("\(option) text, fields and values (≈ \(Int(Self.bytesPerInputByte)) B a byte of its \(MemoryEstimate.format(size)))",
                     bytes: Self.bytesPerInputByte * size)
        try check(estimate, for: "reading \(option) \(path)")
    }

    /// This limit shared by `workers` runs at once (a sweep's worker threads).
    public func shared(by workers: Int) -> MemoryLimit {
        guard workers > 1 else { return self }
        return MemoryLimit(bytes: bytes / Double(workers), origin: "\(origin), shared by \(workers) parallel jobs")
    }
}

/// Room in the address space, under a cap (`ulimit -v`). OpenBLAS maps a work buffer per call
/// running at once and, when that mmap fails, retries it on every call instead of failing
/// (measured at a 300 MB cap: 371 185 mmap calls for 20 dense steps, 1 s a step instead of
/// 1.4 ms); a thread that cannot get its stack is refused. So a run first maps and unmaps a
/// PROT_NONE region of what it will need and, when that fails, says how far to raise the cap.
package enum AddressSpace {
    /// Room for what a run maps besides its buffers (glibc's heap growth, small mappings).
    package static let marginBytes = 32 << 20
    /// A worker thread's stack (`WorkerThreads`).
    package static let threadStackBytes = 8 << 20

    /// Throws one line when `bytes` (plus `marginBytes`) cannot be mapped now; `what` says what
    /// needs them, `detail` why or what they are, `alternative` another way out. Nothing is
    /// checked without a cap.
    package static func checkRoom(_ bytes: Int, for what: String, detail: String, alternative: String? = nil) throws {
        var cap = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &cap) == 0, cap.rlim_cur != rlim_t.max else { return }
        let size = bytes + marginBytes
        let region = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        if region != MAP_FAILED {
            munmap(region, size)
            return
        }
        var advice = "raise it"
        if let mapped = mappedBytes() {
            // Enough for this check and a later one with the same margin, plus what OpenBLAS maps
            // at load when it has the room (its first work buffer), if it has not yet: a cap raised
            // to the advice must not fail the same check again.
            let pending = workBufferMapped() ? 0 : workBufferBytes
            advice = "raise it to at least \((mapped + size + marginBytes + pending + 1023) / 1024) KB (this process maps \(mapped / 1024) KB already)"
        }
        throw InputError("the address-space limit (ulimit -v \(cap.rlim_cur / 1024) KB) leaves no room for \(what) "
                         + "(\(MemoryEstimate.format(Double(bytes))): \(detail)); \(advice)" + (alternative.map { " or \($0)" } ?? ""))
    }

    /// OpenBLAS's work buffer: BUFFER_SIZE = 32 << 22 bytes in 0.3.21's x86_64 build
    /// (common_x86_64.h), one per BLAS call running at once (the CLI's start, `WorkerThreads`).
    package static let workBufferBytes = 32 << 22

    /// Whether an anonymous read-write mapping of the work buffer's size (up to a page of
    /// alignment) exists: OpenBLAS maps its first buffer at load when the cap leaves room.
    private static func workBufferMapped() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 5, fields[1] == "rw-p" else { return false }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2 else { return false }
            let length = bounds[1] - bounds[0]
            return length >= UInt64(workBufferBytes) && length <= UInt64(workBufferBytes + (64 << 10))
        }
    }

    /// VmSize from /proc/self/status, in bytes.
    private static func mappedBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
              let kilobytes = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes * 1024
    }
}
