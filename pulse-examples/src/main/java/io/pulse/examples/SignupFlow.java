package io.pulse.examples;

import io.pulse.core.PulseRedis;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.JsonCodec;
import io.pulse.streaming.Reader;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The complete user-signup flow of the Pulse product page, all three building blocks together:
 * <ul>
 *   <li>feature flags and configuration in a replicated map, read locally by every service;</li>
 *   <li>a {@code users} stream: the signup API adds a {@code user.created} event per signup; an
 *       analytics {@link Reader} and an audit {@link Sink} each consume every event;</li>
 *   <li>an email worker pool: the signup API, a client-only node, dispatches a
 *       {@code welcome-email:<user>} job per signup to two email nodes.</li>
 * </ul>
 * Mid-run the email template flag changes, and later one email node leaves: its jobs move to the
 * other node. Each service has its own {@link PulseRedis}, as it would in its own process.
 */
public final class SignupFlow {

    /** The event the signup API adds to the users stream. */
    record UserCreated(String userId, String email) {
    }

    /** The payload of a welcome-email job. */
    record WelcomeEmail(String userId, String email) {
    }

    private static final List<String> FIRST_SIGNUPS = List.of("ada", "grace", "linus", "margaret");
    private static final List<String> LATER_SIGNUPS = List.of("alan", "barbara", "dennis", "ken");

    private SignupFlow() {
    }

    public static void main(String[] args) {
        Examples.main(SignupFlow::run);
    }

    /**
     * What the consumers and workers did, gathered for the summary. In production each service would
     * log or meter this; the demo collects it in memory to check the run.
     */
    static final class Ledger {
        final Set<String> analytics = ConcurrentHashMap.newKeySet();
        final Set<String> audited = ConcurrentHashMap.newKeySet();
        /** Job key to the email node that first started it. */
        final Map<String, String> firstOwner = new ConcurrentHashMap<>();
        /** Job key to the template of the welcome mail sent. */
        final Map<String, String> template = new ConcurrentHashMap<>();
        /** Job keys restarted elsewhere after their node left, with their new node. */
        final Map<String, String> moved = new ConcurrentHashMap<>();
        final List<String> sendErrors = new CopyOnWriteArrayList<>();
    }

    /** The email service's job handler: sends the welcome mail with the template the flags say. */
    static final class WelcomeEmailSender implements JobHandler {
        private final String node;
        private final ReplicatedMap flags;
        private final Ledger ledger;
        private final PrintStream out;
        final Set<String> running = ConcurrentHashMap.newKeySet();

        WelcomeEmailSender(String node, ReplicatedMap flags, Ledger ledger, PrintStream out) {
            this.node = node;
            this.flags = flags;
            this.ledger = ledger;
            this.out = out;
        }

        @Override
        public void start(Job job) {
            WelcomeEmail email = JsonCodec.DEFAULT.decode(job.payload(), WelcomeEmail.class);
            running.add(job.key());
            if (job.requeued()) {
                // the job ran on a node that left: the mail went out already, so resume, do not resend
                ledger.moved.put(job.key(), node);
                out.printf("  [%s] %s moved here; welcome mail already sent, following up on %s%n", node, job.key(),
                        email.userId());
                return;
            }
            // a flag read is local: no Redis round trip per job
            String template = flags.get("email.template").orElse("welcome-v1");
            ledger.firstOwner.putIfAbsent(job.key(), node);
            if (ledger.template.putIfAbsent(job.key(), template) != null) {
                ledger.sendErrors.add(job.key() + " sent twice");
            }
            out.printf("  [%s] %s: sent the welcome mail to %s with template %s%n", node, job.key(), email.email(),
                    template);
        }

        @Override
        public void stop(String key) {
            running.remove(key);
        }
    }

    /** One email node: a service with its own connection, flag replica, pool node and worker. */
    static final class EmailService implements AutoCloseable {
        final String name;
        final PulseRedis redis;
        final ReplicatedMap flags;
        final Node node;
        final WelcomeEmailSender sender;

        EmailService(String name, String pool, String flagMap, String redisUri, Ledger ledger, PrintStream out) {
            this.name = name;
            redis = PulseRedis.connect(redisUri);
            flags = ReplicatedMap.join(flagMap, redis);
            node = fastNode(Node.builder(pool, redis)).join();
            sender = new WelcomeEmailSender(name, flags, ledger, out);
            node.addWorker(sender);
        }

        /** Leaves the pool (its jobs move to the other nodes) and closes the service. Idempotent. */
        @Override
        public void close() {
            node.close();
            flags.close();
            redis.close();
        }
    }

    /**
     * Short timings so the demo finishes in seconds: a dead worker is noticed after 2 s, an
     * unacknowledged routing after 1 s. Production keeps the defaults (30 s, 20 s).
     */
    static Node.Builder fastNode(Node.Builder builder) {
        return builder.workerTtl(Duration.ofSeconds(2)).ackGracePeriod(Duration.ofSeconds(1))
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(2));
    }

    /** Runs the flow against {@code redisUri}, printing to {@code out}; returns 0 if every check passed. */
    public static int run(PrintStream out, String redisUri) {
        long started = System.nanoTime();
        String tag = Examples.unique("signup");
        String flagMap = tag + ":feature-flags";
        String usersStream = tag + ":users";
        String emailPool = tag + ":email-pool";
        String auditSink = tag + ":audit";
        Ledger ledger = new Ledger();
        List<String> signups = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        try (PulseRedis signupApi = PulseRedis.connect(redisUri);
                PulseRedis analyticsService = PulseRedis.connect(redisUri);
                PulseRedis auditService = PulseRedis.connect(redisUri);
                EmailService emailA = new EmailService("email-a", emailPool, flagMap, redisUri, ledger, out);
                EmailService emailB = new EmailService("email-b", emailPool, flagMap, redisUri, ledger, out)) {

            // 1. shared feature flags and configuration
            ReplicatedMap flags = ReplicatedMap.join(flagMap, signupApi);
            flags.set("feature.welcome-email", "true");
            flags.setAndWait("email.template", "welcome-v1");
            out.println("flags: feature.welcome-email=true, email.template=welcome-v1");

            // 2. the users stream and its two consumers
            Stream users = Stream.builder(usersStream, signupApi).maxLen(10_000).open();
            Reader analytics = Stream.open(usersStream, analyticsService).reader()
                    .blockDuration(Duration.ofSeconds(1)).open();
            analytics.subscribe(event -> {
                UserCreated user = event.payloadAs(UserCreated.class);
                ledger.analytics.add(user.userId());
                out.printf("  [analytics] %s %s: signups so far %d%n", event.eventName(), user.userId(),
                        ledger.analytics.size());
            });
            Sink audit = Stream.open(usersStream, auditService).sink(auditSink)
                    .blockDuration(Duration.ofSeconds(1)).open();
            audit.subscribe(event -> {
                UserCreated user = event.payloadAs(UserCreated.class);
                ledger.audited.add(user.userId());
                audit.ack(event); // acknowledged once recorded: until then a crash means redelivery, not a gap
                out.printf("  [audit]     recorded %s %s (event %s) and acknowledged it%n", event.eventName(),
                        user.userId(), event.id());
            });
            out.println("users stream: analytics reads it, audit consumes it through the sink '" + auditSink + "'");

            // 3. the email pool: two worker nodes (above), and the signup API as a client-only producer
            Node producer = fastNode(Node.builder(emailPool, signupApi)).clientOnly().join();
            // route only once both email nodes know both workers, so that no job moves for that reason
            Examples.await(Duration.ofSeconds(5), () -> emailA.node.poolWorkers().size() == 2
                    && emailB.node.poolWorkers().size() == 2);
            out.println("email pool: email-a and email-b each run one worker; the signup API dispatches");
            out.println();

            // 4. signups flow through
            for (String user : FIRST_SIGNUPS) {
                signup(out, user, flags, users, producer, signups);
            }

            // 5. a flag changes mid-run: every email node sees it in its replica within milliseconds
            flags.setAndWait("email.template", "welcome-v2");
            out.println("[admin] email.template set to welcome-v2");
            boolean seen = Examples.await(Duration.ofSeconds(5),
                    () -> List.of(emailA, emailB).stream().allMatch(s -> s.flags.get("email.template")
                            .orElse("").equals("welcome-v2")));
            out.println("[admin] email-a and email-b both read welcome-v2: " + seen);
            for (String user : LATER_SIGNUPS) {
                signup(out, user, flags, users, producer, signups);
            }

            // 6. email-a leaves: close() hands its jobs to the remaining node
            Set<String> leaving = new TreeSet<>(emailA.sender.running);
            out.println();
            out.println("[ops] email-a leaves the pool with " + leaving.size() + " jobs: " + leaving);
            emailA.close();
            Examples.await(Duration.ofSeconds(10), () -> emailB.sender.running.containsAll(leaving));
            out.println("[ops] email-b now runs all " + emailB.sender.running.size() + " jobs");

            // 7. let the consumers catch up, then check the whole flow
            Examples.await(Duration.ofSeconds(10), () -> ledger.analytics.size() == signups.size()
                    && ledger.audited.size() == signups.size());
            check(problems, "analytics saw every signup", ledger.analytics.equals(Set.copyOf(signups)));
            check(problems, "audit recorded every signup", ledger.audited.equals(Set.copyOf(signups)));
            check(problems, "every job started", ledger.template.keySet().equals(jobKeys(signups)));
            check(problems, "jobs ran on both nodes before the move",
                    Set.copyOf(ledger.firstOwner.values()).equals(Set.of("email-a", "email-b")));
            check(problems, "email-a's jobs restarted on email-b",
                    !leaving.isEmpty() && leaving.stream().allMatch(k -> "email-b".equals(ledger.moved.get(k))));
            check(problems, "the pool runs every job", new TreeSet<>(producer.jobKeys()).equals(jobKeys(signups)));
            check(problems, "the template flag applied from the change on", templatesAsExpected(ledger));
            check(problems, "no welcome mail sent twice", ledger.sendErrors.isEmpty());

            printSummary(out, ledger, signups, leaving, problems);

            // 8. tear down: stop the pool for good, delete the stream and the flags
            producer.close();
            emailB.node.shutdown();
            audit.close();
            analytics.close();
            users.destroy();
            flags.close();
            flags.destroy();
            emailB.close();
            emailA.close();
            Examples.deleteKeysContaining(signupApi, tag);
        }
        out.printf("  finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return problems.isEmpty() ? 0 : 1;
    }

    /** What the signup API does for one new user. */
    private static void signup(PrintStream out, String user, ReplicatedMap flags, Stream users, Node producer,
            List<String> signups) {
        String email = user + "@example.com";
        String eventId = users.add("user.created", new UserCreated(user, email));
        signups.add(user);
        out.printf("[signup-api] %s signed up: added user.created %s%n", user, eventId);
        if (flags.get("feature.welcome-email").map(Boolean::parseBoolean).orElse(false)) {
            // returns once an email worker started the job
            producer.dispatchJob("welcome-email:" + user, JsonCodec.DEFAULT.encode(new WelcomeEmail(user, email)));
            out.printf("[signup-api] dispatched welcome-email:%s%n", user);
        }
    }

    private static Set<String> jobKeys(List<String> users) {
        Set<String> keys = new TreeSet<>();
        users.forEach(u -> keys.add("welcome-email:" + u));
        return keys;
    }

    private static boolean templatesAsExpected(Ledger ledger) {
        boolean ok = true;
        for (String user : FIRST_SIGNUPS) {
            ok &= "welcome-v1".equals(ledger.template.get("welcome-email:" + user));
        }
        for (String user : LATER_SIGNUPS) {
            ok &= "welcome-v2".equals(ledger.template.get("welcome-email:" + user));
        }
        return ok;
    }

    private static void check(List<String> problems, String what, boolean passed) {
        if (!passed) {
            problems.add(what);
        }
    }

    private static void printSummary(PrintStream out, Ledger ledger, List<String> signups, Set<String> leaving,
            List<String> problems) {
        out.println();
        out.println("Summary");
        out.printf("  signups:                 %d%n", signups.size());
        out.printf("  analytics saw:           %d/%d user.created events%n", ledger.analytics.size(), signups.size());
        out.printf("  audit recorded (acked):  %d/%d%n", ledger.audited.size(), signups.size());
        out.printf("  welcome emails started:  %d/%d%n", ledger.template.size(), signups.size());
        out.println("  who ran which job:");
        for (String key : new TreeSet<>(ledger.firstOwner.keySet())) {
            String moved = ledger.moved.containsKey(key) ? "  -> moved to " + ledger.moved.get(key) : "";
            out.printf("    %-24s %s (%s)%s%n", key, ledger.firstOwner.get(key), ledger.template.get(key), moved);
        }
        out.printf("  email-a left; its %d jobs restarted on email-b: %s%n", leaving.size(),
                leaving.stream().allMatch(k -> "email-b".equals(ledger.moved.get(k))));
        if (problems.isEmpty()) {
            out.println("  every check passed");
        } else {
            problems.forEach(p -> out.println("  FAILED: " + p));
        }
    }
}
