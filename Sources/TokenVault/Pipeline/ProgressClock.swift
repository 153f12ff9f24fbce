import Dispatch
import Foundation

/// Calls a progress observer twice a second with the rows done so far.
final class ProgressClock: @unchecked Sendable {
    private let timer: (any DispatchSourceTimer)?
    private let observer: (any ProgressObserver)?

    init(observer: (any ProgressObserver)?, rows: @escaping @Sendable () -> Int) {
        self.observer = observer
        guard let observer else { timer = nil; return }
        let started = Stopwatch()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tokenvault.progress"))
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { observer.update(rows: rows(), elapsedSeconds: started.seconds) }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        observer?.finish()
    }
}
