//! A thin, synchronous-looking entry point over cqrs-es's `Aggregate` trait: given the current
//! state, a command and its services, return the events the command produces. The domain never
//! performs I/O, so the future always completes immediately.

use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;

/// Runs `command` against `state` and returns the events it produced (already applied to
/// `state`). On error `state` is left as it was before the call.
pub async fn decide<A: Aggregate>(
    state: &mut A,
    command: A::Command,
    services: &A::Services,
) -> Result<Vec<A::Event>, A::Error> {
    let sink = EventSink::default();
    state.handle(command, services, &sink).await?;
    Ok(sink.collect().await)
}

/// Rebuilds an aggregate from its events, in stream order.
pub fn replay<A: Aggregate>(events: impl IntoIterator<Item = A::Event>) -> A {
    let mut state = A::default();
    for event in events {
        state.apply(event);
    }
    state
}
