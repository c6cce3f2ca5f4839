package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.streaming.Event;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event sourcing: the stream is the source of truth, and state is whatever replaying its events
 * gives. Events are your own records, written with {@link Stream#add(String, Object,
 * io.pulse.streaming.AddOptions...)} (JSON on the wire) and read back with
 * {@link Event#payloadAs(Class)}. A new process rebuilds the state by reading from the oldest event;
 * a projection that remembers the last event it applied resumes from there instead.
 */
public final class EventSourcingReplay {

    // the events of an order's life, as the order service records them
    record OrderCreated(String orderId, String customer) {
    }

    record ItemAdded(String orderId, String sku, int quantity, long unitPriceCents) {
    }

    record OrderPaid(String orderId, long amountCents) {
    }

    record OrderShipped(String orderId, String carrier) {
    }

    /** The state of one order, as a projection of its events. */
    static final class Order {
        final String customer;
        long totalCents;
        int items;
        String status = "created";

        Order(String customer) {
            this.customer = customer;
        }

        @Override
        public String toString() {
            return String.format("%s, %d item%s, %d.%02d EUR, %s", customer, items, items == 1 ? "" : "s",
                    totalCents / 100, totalCents % 100, status);
        }
    }

    /** A projection: the orders by id, and the id of the last event applied. */
    static final class Orders {
        final Map<String, Order> byId = new TreeMap<>();
        String lastEventId;

        /** Applies one event; the event name says which record its payload holds. */
        void apply(Event event) {
            switch (event.eventName()) {
                case "order.created" -> {
                    OrderCreated e = event.payloadAs(OrderCreated.class);
                    byId.put(e.orderId(), new Order(e.customer()));
                }
                case "order.item-added" -> {
                    ItemAdded e = event.payloadAs(ItemAdded.class);
                    Order order = byId.get(e.orderId());
                    order.items += e.quantity();
                    order.totalCents += e.quantity() * e.unitPriceCents();
                }
                case "order.paid" -> byId.get(event.payloadAs(OrderPaid.class).orderId()).status = "paid";
                case "order.shipped" -> {
                    OrderShipped e = event.payloadAs(OrderShipped.class);
                    byId.get(e.orderId()).status = "shipped by " + e.carrier();
                }
                default -> {
                    // an event this projection does not care about
                }
            }
            lastEventId = event.id();
        }

        /** Reads and applies events until a read comes back empty: the projection caught up. */
        int catchUp(Reader reader) {
            int applied = 0;
            for (List<Event> events = reader.read(); !events.isEmpty(); events = reader.read()) {
                events.forEach(this::apply);
                applied += events.size();
            }
            return applied;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            byId.forEach((id, order) -> s.append("    ").append(id).append(": ").append(order).append('\n'));
            return s.toString();
        }
    }

    private EventSourcingReplay() {
    }

    public static void main(String[] args) {
        Examples.main(EventSourcingReplay::run);
    }

    /** Runs the example against {@code redisUri}, printing to {@code out}; returns the exit code. */
    public static int run(PrintStream out, String redisUri) {
        String name = Examples.unique("order-events");
        boolean ok;
        try (PulseRedis redis = PulseRedis.connect(redisUri)) {
            // an event store must not drop its history: maxLen 0 turns trimming off
            Stream events = Stream.builder(name, redis).maxLen(0).open();

            events.add("order.created", new OrderCreated("order-1", "ada"));
            events.add("order.item-added", new ItemAdded("order-1", "keyboard", 1, 89_00));
            events.add("order.item-added", new ItemAdded("order-1", "cable", 2, 9_50));
            events.add("order.created", new OrderCreated("order-2", "grace"));
            events.add("order.item-added", new ItemAdded("order-2", "monitor", 1, 249_00));
            events.add("order.paid", new OrderPaid("order-1", 108_00));
            out.println("the order service recorded 6 events in '" + name + "'");

            // a projection builds its state by replaying the stream from the oldest event
            Orders projection = new Orders();
            Duration idle = Duration.ofMillis(300); // an empty read this long means "caught up"
            int applied;
            try (Reader replay = events.reader().startAtOldest().blockDuration(idle).open()) {
                applied = projection.catchUp(replay);
            }
            out.println("projection replayed " + applied + " events:\n" + projection);

            // life goes on while the projection is down
            events.add("order.paid", new OrderPaid("order-2", 249_00));
            events.add("order.shipped", new OrderShipped("order-1", "la-poste"));
            out.println("2 more events recorded");

            // it comes back and resumes after the last event it applied
            String resumeAfter = projection.lastEventId;
            try (Reader resume = events.reader().startAfter(resumeAfter).blockDuration(idle).open()) {
                applied = projection.catchUp(resume);
            }
            out.println("projection resumed after event " + resumeAfter + " and applied " + applied
                    + " new events:\n" + projection);

            // a brand-new process rebuilds the same state from the whole history
            Orders rebuilt = new Orders();
            try (PulseRedis otherProcess = PulseRedis.connect(redisUri);
                    Reader replay = Stream.open(name, otherProcess).reader().startAtOldest().blockDuration(idle)
                            .open()) {
                applied = rebuilt.catchUp(replay);
            }
            out.println("a new process replayed all " + applied + " events:\n" + rebuilt);

            ok = rebuilt.toString().equals(projection.toString())
                    && rebuilt.byId.get("order-1").toString().equals("ada, 3 items, 108.00 EUR, shipped by la-poste")
                    && rebuilt.byId.get("order-2").toString().equals("grace, 1 item, 249.00 EUR, paid");
            out.println("replayed state equals the resumed projection: " + ok);

            events.destroy();
            Examples.deleteKeysContaining(redis, name);
        }
        out.println(ok ? "event sourcing replay: all checks passed" : "event sourcing replay: FAILED");
        return ok ? 0 : 1;
    }
}
