package ai.sluice.plan;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads the catalogs' YAML: snake_case keys, and unknown keys are errors so typos do not pass silently. */
final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Yaml() {
    }

    static <T> T resource(String name, Class<T> type) {
        try (InputStream in = Yaml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return MAPPER.readValue(in, type);
        } catch (IOException e) {
            throw new IllegalStateException("built-in catalog " + name + " is invalid: " + e.getMessage(), e);
        }
    }

    static <T> T file(Path path, Class<T> type) {
        try (InputStream in = Files.newInputStream(path)) {
            return MAPPER.readValue(in, type);
        } catch (NoSuchFileException e) {
            throw new PlanException("no such file: " + path, e);
        } catch (JacksonException e) {
            throw new PlanException(path + ": " + oneLine(e), e);
        } catch (IOException e) {
            throw new PlanException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's message with its location, without the multi-line reference chain. */
    private static String oneLine(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            // reported after the whole entry is read, so its location would point past the typo
            return "unknown key '" + u.getPropertyName() + "'; valid keys: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
        }
        String msg = e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
        var loc = e.getLocation();
        if (e.getCause() instanceof PlanException pe) {
            msg = pe.getMessage();
        }
        return loc == null ? msg : "line " + loc.getLineNr() + ": " + msg;
    }
}
