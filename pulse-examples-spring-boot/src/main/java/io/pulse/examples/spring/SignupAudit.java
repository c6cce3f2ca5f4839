package io.pulse.examples.spring;

import io.pulse.core.Subscription;
import io.pulse.examples.spring.Signups.UserCreated;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Event;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The audit consumer: the {@code audit} sink of the {@code users} stream. The instances of the service
 * share its events (each goes to one of them), and each event is acknowledged only once it is recorded,
 * so a crash means redelivery, not a gap.
 */
@Component
class SignupAudit implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(SignupAudit.class);

    private final ReplicatedMap ledger;
    private final Sink sink;
    private final Subscription subscription;

    SignupAudit(@Qualifier("users") Stream users, @Qualifier(Signups.LEDGER_MAP) ReplicatedMap ledger) {
        this.ledger = ledger;
        this.sink = users.sink("audit").open();
        this.subscription = sink.subscribe(this::record);
    }

    private void record(Event event) {
        UserCreated user = event.payloadAs(UserCreated.class);
        ledger.set(Signups.auditKey(user.user()), event.id());
        sink.ack(event);
        LOG.atInfo().addKeyValue("user", user.user()).addKeyValue("event", event.id()).log("signup audited");
    }

    @Override
    public void destroy() {
        subscription.close();
        sink.close();
    }
}
