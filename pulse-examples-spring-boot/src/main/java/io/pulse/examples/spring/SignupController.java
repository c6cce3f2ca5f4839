package io.pulse.examples.spring;

import io.pulse.examples.spring.Signups.SignupAccepted;
import io.pulse.examples.spring.Signups.SignupRequest;
import io.pulse.examples.spring.Signups.SignupStatus;
import io.pulse.examples.spring.Signups.UserCreated;
import io.pulse.examples.spring.Signups.WelcomeEmail;
import io.pulse.pool.JobExistsException;
import io.pulse.pool.Node;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.JsonCodec;
import io.pulse.streaming.Stream;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The service's HTTP API; every Pulse call it makes is a bean injected by the Pulse starter. */
@RestController
class SignupController {

    private static final Pattern USER = Pattern.compile("[a-z0-9._-]{1,64}");

    private final ReplicatedMap flags;
    private final ReplicatedMap ledger;
    private final Stream users;
    private final Node email;

    SignupController(@Qualifier("feature-flags") ReplicatedMap flags,
            @Qualifier(Signups.LEDGER_MAP) ReplicatedMap ledger, @Qualifier("users") Stream users,
            @Qualifier("email") Node email) {
        this.flags = flags;
        this.ledger = ledger;
        this.users = users;
        this.email = email;
    }

    @PostMapping("/signups")
    ResponseEntity<?> signup(@RequestBody SignupRequest request) {
        if (request.user() == null || !USER.matcher(request.user()).matches() || request.email() == null) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    "user must be 1 to 64 of a-z 0-9 . _ -, and email is required"));
        }
        // a flag read is local: no Redis round trip per request
        boolean welcome = Boolean.parseBoolean(flags.get("welcome-email").orElse("true"));
        String event = users.add("user.created", new UserCreated(request.user(), request.email()));
        String job = null;
        if (welcome) {
            job = Signups.jobKey(request.user());
            try {
                // returns once a worker (on this instance or another) started the job
                email.dispatchJob(job, JsonCodec.DEFAULT.encode(new WelcomeEmail(request.user(), request.email())));
            } catch (JobExistsException e) {
                return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error",
                        request.user() + " signed up already", "event", event));
            }
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(new SignupAccepted(request.user(), welcome, event, job));
    }

    @GetMapping("/signups/{user}")
    SignupStatus status(@PathVariable String user) {
        return new SignupStatus(user, ledger.get(Signups.auditKey(user)).orElse(null),
                ledger.get(Signups.emailKey(user)).orElse(null), email.jobKeys().contains(Signups.jobKey(user)));
    }

    @GetMapping("/flags")
    Map<String, String> flags() {
        return flags.snapshot();
    }

    /** Sets a flag and returns once this instance's replica shows it; every other instance follows. */
    @PutMapping("/flags/{name}")
    Map<String, String> setFlag(@PathVariable String name, @RequestBody String value) {
        flags.setAndWait(name, value.trim());
        return flags.snapshot();
    }
}
