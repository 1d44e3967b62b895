package io.ndp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.ndp.api.AbstractPattern;
import io.ndp.api.ExecutionScope;
import io.ndp.api.MatchResult;
import io.ndp.api.Pattern;
import io.ndp.api.PatternContext;
import io.ndp.api.PatternDefinition;
import io.ndp.api.PatternFactory;
import io.ndp.api.PatternOutcome;
import io.ndp.api.PatternResult;
import io.ndp.core.Ndp;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A {@link PatternFactory} bean adds a pattern kind that ndp.patterns can name. */
class PatternFactoryBeanTest {

  /** A kind that answers its own name, upper-cased. */
  static final class ShoutPattern extends AbstractPattern {
    ShoutPattern(String name, String description) {
      super(name, description);
    }

    @Override
    public String type() {
      return "shout";
    }

    @Override
    public Set<String> typeAliases() {
      return Set.of();
    }

    @Override
    public Set<String> agentTypes() {
      return Set.of("shouter");
    }

    @Override
    public MatchResult match(PatternContext context) {
      return MatchResult.perfect();
    }

    @Override
    public PatternOutcome execute(PatternContext context, ExecutionScope scope) {
      return PatternOutcome.success(
          String.valueOf(context.payload()).toUpperCase(java.util.Locale.ROOT), "shouted");
    }

    @Override
    public PatternDefinition definition() {
      return new PatternDefinition("shout", name(), description(), Map.of());
    }
  }

  static final class ShoutFactory implements PatternFactory {
    @Override
    public String type() {
      return "shout";
    }

    @Override
    public Set<String> aliases() {
      return Set.of();
    }

    @Override
    public Pattern create(PatternDefinition d) {
      return new ShoutPattern(d.name(), d.description());
    }
  }

  @Test
  void factoryBean_addsAKindThePropertiesCanUse() {
    Apps.runner()
        .withBean(ShoutFactory.class, ShoutFactory::new)
        .withPropertyValues("ndp.patterns[0].type=shout", "ndp.patterns[0].name=loud")
        .run(
            context -> {
              Ndp ndp = context.getBean(Ndp.class);
              assertThat(ndp.factories().types()).contains("shout");
              PatternResult r =
                  ndp.executor()
                      .executeBestPattern(
                          PatternContext.builder("d", "shouter").payload("hey").build());
              assertThat(r.success()).as(r.message()).isTrue();
              assertThat(r.output()).isEqualTo("HEY");
            });
  }
}
