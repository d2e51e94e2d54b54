import Model
import Foundation
import Testing
@testable import Sweep
import SpecgdSupport

@Suite struct MergeTests {
    private let grid = ["lambda=0:16:7", "lr=1e-3:1e-1:4:log"]

    private func shards(_ count: Int, only: [Int]? = nil) throws -> [String] {
        try (only ?? Array(1...count)).map { i in
            let directory = try Fixture.directory()
            _ = try Fixture.run(try Fixture.configuration(grid: grid, shard: try Shard(index: i, count: count)),
                                in: directory, jobs: 1)
            return directory
        }
    }

    @Test(arguments: [1, 3, 5])
    func mergedShardsEqualTheUnshardedSweep(count: Int) throws {
        let whole = try Fixture.directory()
        _ = try Fixture.run(try Fixture.configuration(grid: grid), in: whole)
        let parts = try shards(count)
        let output = try Fixture.directory() + "/merged"
        let result = try SweepMerge.merge(parts.reversed(), into: output, command: ["test"])
        #expect(result.cells == 28)
        #expect(try Fixture.cells(output) == Fixture.cells(whole))
        #expect(try SweepRecord.read(from: output) == SweepRecord.read(from: whole))
        // Merging again into the same output is harmless; into another sweep's directory it is refused.
        _ = try SweepMerge.merge(parts, into: output, command: ["test"])
        #expect(try Fixture.cells(output) == Fixture.cells(whole))
        let other = try Fixture.directory()
        _ = try Fixture.run(try Fixture.configuration(grid: ["lambda=1,2"]), in: other)
        #expect(throws: InputError.self) { try SweepMerge.merge(parts, into: other, command: ["test"]) }
    }

    @Test func incompleteSetIsRefusedListingWhatIsMissing() throws {
        let parts = try shards(4, only: [1, 2, 4])
        let output = try Fixture.directory() + "/merged"
        do {
            _ = try SweepMerge.merge(parts, into: output, command: ["test"])
            Issue.record("an incomplete set was merged")
        } catch let error as InputError {
            #expect(error.message.contains("missing shard 3/4"), "\(error.message)")
            // Shard 3 of 4 holds cells 2, 6, 10, …, 26.
            #expect(error.message.contains("7 of 28 cells missing: cell 2, cell 6"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func unfinishedShardIsRefused() throws {
        let parts = try shards(2)
        // Drop the last cell line of shard 2, as if it had been interrupted.
        let path = SweepRecord.cellsPath(parts[1])
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try SweepMerge.merge(parts, into: try Fixture.directory() + "/m", command: ["test"]) }
    }

    @Test func mixedSetsAreRefused() throws {
        let parts = try shards(2)
        // Same shard split of a different sweep (other steps).
        let other = try Fixture.directory()
        _ = try Fixture.run(try Fixture.configuration(grid: grid, steps: 2000, shard: try Shard(index: 2, count: 2)), in: other)
        do {
            _ = try SweepMerge.merge([parts[0], other], into: try Fixture.directory() + "/m", command: ["test"])
            Issue.record("a mixed set was merged")
        } catch let error as InputError {
            #expect(error.message.contains("is a different sweep"), "\(error.message)")
            #expect(error.message.contains("steps"), "\(error.message)")
        }
        // Different shard counts.
        let three = try shards(3, only: [2])
        #expect(throws: InputError.self) { try SweepMerge.merge([parts[0], parts[1], three[0]], into: try Fixture.directory() + "/m", command: ["test"]) }
        // The same shard twice.
        let again = try shards(2, only: [1])
        #expect(throws: InputError.self) { try SweepMerge.merge([parts[0], again[0], parts[1]], into: try Fixture.directory() + "/m", command: ["test"]) }
    }
}
