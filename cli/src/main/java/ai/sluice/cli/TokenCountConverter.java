package ai.sluice.cli;

import ai.sluice.plan.PlanException;
import ai.sluice.plan.TokenCount;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --context 8k}: token counts with k = 1024 (see {@link TokenCount}). */
final class TokenCountConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        try {
            return TokenCount.parse(value);
        } catch (PlanException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
