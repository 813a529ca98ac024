/**
 * Constrained decoding. A language (JSON Schema, plain JSON, a regular expression, a list of choices, or
 * a GBNF grammar) is compiled to a {@link ai.sluice.grammar.Grammar}: rules over single bytes, run as a
 * pushdown automaton whose state is a set of stacks. {@link ai.sluice.grammar.TokenGrammar} turns it
 * into token masks over a vocabulary given as byte strings, walking a token trie and caching what it
 * learns. Knows nothing of models, requests or HTTP.
 */
package ai.sluice.grammar;
