import Foundation
import Testing

/// `specgd sweep --dry-run`: the sweep's own checks, the cells and their shards, nothing written.
@Suite struct SweepDryRunTests {
    private let sweep = ["sweep", "--grid", "lambda=0,4,8", "--grid", "lr=1e-3,1e-2", "--derive", "alpha=1/dim",
                         "--steps", "50", "--dry-run"]

    @Test func printsEveryCellAndItsShardWithoutWriting() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let directory = root + "/phase"
        let result = try SpecgdProcess.run(sweep + ["--shard", "2/4", "--output-dir", directory])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "cell,cell_id,lambda,lr,alpha,shard")
        // Every cell of the grid (first axis slowest), round-robin over the 4 shards.
        #expect(lines.count == 1 + 6)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.map { $0[0] } == ["0", "1", "2", "3", "4", "5"])
        #expect(rows.map { $0[2] } == ["0", "0", "4", "4", "8", "8"])
        #expect(rows.map { $0[3] } == ["0.001", "0.01", "0.001", "0.01", "0.001", "0.01"])
        #expect(rows.map { $0[5] } == ["1", "2", "3", "4", "1", "2"])
        #expect(rows.allSatisfy { $0[4] == "0.001" })  // alpha = 1/dim, dim 1000 by default
        #expect(result.stderr.contains("6 cells (lambda 3 × lr 2), theory mode in 4 shards of 1–2 cells; shard 2: 2 cells"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing computed or written"))
        #expect(!FileManager.default.fileExists(atPath: directory), "a dry run created \(directory)")
    }

    /// A cell the sweep would refuse is refused by the dry run too, in any shard: the dry run
    /// checks every cell of the grid, not only its own shard's.
    @Test func refusesABadCellInAnotherShard() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        // An identity start needs m = d: width 8 is cell 1, in shard 2 of 2; the dry run is for shard 1.
        let result = try SpecgdProcess.run(["sweep", "--mode", "simulate", "--dim", "16", "--grid", "width=16,8", "--steps", "5",
                                            "--dry-run", "--shard", "1/2", "--output-dir", root + "/phase"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cell 1 (width=8): --init identity needs width m = dim d"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/phase"))
    }

    /// The directory checks of a real run: not empty without --resume; resuming, the same
    /// sweep, and the cells already done are counted.
    @Test func checksTheDirectoryAsTheSweepWould() throws {
        let root = try SpecgdProcess.temporaryDirectory()
        let directory = root + "/phase"
        let run = ["sweep", "--grid", "lambda=0,4,8", "--steps", "50", "--jobs", "1", "--output-dir", directory]
        #expect(try SpecgdProcess.run(run + ["--shard", "1/2"]).status == 0)
        let before = try String(contentsOfFile: directory + "/cells.csv", encoding: .utf8)

        let fresh = try SpecgdProcess.run(run + ["--shard", "1/2", "--dry-run"])
        #expect(fresh.status != 0 && fresh.stderr.contains("is not empty"), "\(fresh.stderr)")
        let resumed = try SpecgdProcess.run(run + ["--shard", "1/2", "--dry-run", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("shard 1: 2 cells, 2 already done in \(directory); 0 to evaluate"), "\(resumed.stderr)")
        let other = try SpecgdProcess.run(run + ["--shard", "1/2", "--dry-run", "--resume", "--steps", "60"])
        #expect(other.status != 0 && other.stderr.contains("holds a different sweep"), "\(other.stderr)")
        #expect(try String(contentsOfFile: directory + "/cells.csv", encoding: .utf8) == before)
    }
}
