package io.pulse.examples.spring;

import io.pulse.examples.spring.Signups.WelcomeEmail;
import io.pulse.pool.Job;
import io.pulse.pool.JobHandler;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.spring.boot.PulseWorker;
import io.pulse.streaming.JsonCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The worker of the {@code email} pool: a {@code welcome:<user>} job sends the welcome mail once, with the
 * template the {@code email.template} flag names, and then follows the new user (it stays running). When
 * this instance shuts down its jobs move to another instance, where they start again with
 * {@link Job#requeued()} set: the mail went out already, so it is not sent again.
 */
@Component
@PulseWorker(pool = "email")
public class WelcomeEmailWorker implements JobHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WelcomeEmailWorker.class);

    private final ReplicatedMap flags;
    private final ReplicatedMap ledger;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> movedHere = ConcurrentHashMap.newKeySet();

    WelcomeEmailWorker(@Qualifier("feature-flags") ReplicatedMap flags,
            @Qualifier(Signups.LEDGER_MAP) ReplicatedMap ledger) {
        this.flags = flags;
        this.ledger = ledger;
    }

    @Override
    public void start(Job job) {
        WelcomeEmail mail = JsonCodec.DEFAULT.decode(job.payload(), WelcomeEmail.class);
        running.add(job.key());
        if (job.requeued()) {
            movedHere.add(job.key());
            LOG.atInfo().addKeyValue("job", job.key()).log("job moved here; the welcome mail went out already");
            return;
        }
        String template = flags.get("email.template").orElse("welcome-v1");
        // sendMail(mail.email(), template) would go here
        ledger.set(Signups.emailKey(mail.user()), "sent to " + mail.email() + " with " + template);
        LOG.atInfo().addKeyValue("job", job.key()).addKeyValue("template", template).log("welcome mail sent");
    }

    @Override
    public void stop(String key) {
        running.remove(key);
    }

    /** The jobs this instance runs now. */
    public Set<String> running() {
        return Set.copyOf(running);
    }

    /** The jobs that came here from an instance that left. */
    public Set<String> movedHere() {
        return Set.copyOf(movedHere);
    }
}
