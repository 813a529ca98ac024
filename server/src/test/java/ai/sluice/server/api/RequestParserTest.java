package ai.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.server.chat.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The request parser field by field: defaults, explicit values reaching {@link SamplingOptions}
 * exactly, both ends of every range, and a 400 naming the parameter for everything else. Bodies
 * are written with single quotes for legibility.
 */
class RequestParserTest {
    private static final int VOCAB = 1000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final RequestParser parser = new RequestParser(VOCAB);

    private static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    /** A completion body: the prompt "x" plus {@code fields}. */
    private SamplingOptions sampling(String fields) {
        return parser.completion(json("{'prompt':'x'" + (fields.isEmpty() ? "" : "," + fields) + "}")).sampling();
    }

    private void rejects(String fields, String param, String message) {
        assertThatThrownBy(() -> sampling(fields)).as(fields)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toResponse().error().param()).isEqualTo(param);
                    assertThat(e.toResponse().error().type()).isEqualTo("invalid_request_error");
                    assertThat(e.toResponse().error().code()).isEqualTo("invalid_value");
                })
                .hasMessageContaining(message);
    }

    private void rejectsChat(String body, String param, String message) {
        assertThatThrownBy(() -> parser.chat(json(body))).as(body)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toResponse().error().param()).isEqualTo(param);
                })
                .hasMessageContaining(message);
    }

    @Test
    void absentAndNullFieldsTakeTheDefaults() {
        for (SamplingOptions s : List.of(sampling(""), sampling("'temperature':null,'top_p':null,'top_k':null,"
                + "'min_p':null,'presence_penalty':null,'frequency_penalty':null,'repetition_penalty':null,'stop':null,"
                + "'stop_token_ids':null,'seed':null,'n':null,'stream':null,'stream_options':null,'logit_bias':null,"
                + "'user':null,'ignore_eos':null,'max_tokens':null,'response_format':null,'guided_json':null"))) {
            assertThat(s.maxTokens()).as("a completion without max_tokens gets OpenAI's 16").isEqualTo(RequestParser.DEFAULT_COMPLETION_TOKENS);
            assertThat(s.temperature()).isEqualTo(1f);
            assertThat(s.topP()).isEqualTo(1f);
            assertThat(s.topK()).isEqualTo(-1);
            assertThat(s.minP()).isZero();
            assertThat(s.presencePenalty()).isZero();
            assertThat(s.frequencyPenalty()).isZero();
            assertThat(s.repetitionPenalty()).isEqualTo(1f);
            assertThat(s.stop()).isEmpty();
            assertThat(s.stopTokenIds()).isEmpty();
            assertThat(s.seed()).isNull();
            assertThat(s.n()).isEqualTo(1);
            assertThat(s.topLogprobs()).isEqualTo(-1);
            assertThat(s.logprobs()).isFalse();
            assertThat(s.stream()).isFalse();
            assertThat(s.includeUsage()).isFalse();
            assertThat(s.user()).isNull();
            assertThat(s.ignoreEos()).isFalse();
            assertThat(s.logitBias()).isEmpty();
        }
    }

    @Test
    void explicitValuesReachTheOptionsExactly() {
        SamplingOptions s = sampling("'temperature':0.7,'top_p':0.9,'top_k':40,'min_p':0.05,'presence_penalty':0.5,"
                + "'frequency_penalty':-0.5,'repetition_penalty':1.3,'stop':['a','','b'],'stop_token_ids':[0,999],"
                + "'seed':1234567890123,'n':3,'max_tokens':17,'stream':true,'stream_options':{'include_usage':true},"
                + "'logit_bias':{'0':-100,'999':100,' 7 ':2.5},'user':'u1','ignore_eos':true,"
                + "'response_format':{'type':'text'},'tools':[]");
        assertThat(s.temperature()).isEqualTo(0.7f);
        assertThat(s.topP()).isEqualTo(0.9f);
        assertThat(s.topK()).isEqualTo(40);
        assertThat(s.minP()).isEqualTo(0.05f);
        assertThat(s.presencePenalty()).isEqualTo(0.5f);
        assertThat(s.frequencyPenalty()).isEqualTo(-0.5f);
        assertThat(s.repetitionPenalty()).isEqualTo(1.3f);
        assertThat(s.stop()).containsExactly("a", "b");
        assertThat(s.stopTokenIds()).containsExactly(0, 999);
        assertThat(s.seed()).isEqualTo(1234567890123L);
        assertThat(s.n()).isEqualTo(3);
        assertThat(s.maxTokens()).isEqualTo(17);
        assertThat(s.stream()).isTrue();
        assertThat(s.includeUsage()).isTrue();
        assertThat(s.logitBias()).isEqualTo(Map.of(0, -100f, 999, 100f, 7, 2.5f));
        assertThat(s.user()).isEqualTo("u1");
        assertThat(s.ignoreEos()).isTrue();
    }

    @Test
    void bothEndsOfEveryNumberRangeAreAccepted() {
        assertThat(sampling("'temperature':0").temperature()).isZero();
        assertThat(sampling("'temperature':2").temperature()).isEqualTo(2f);
        assertThat(sampling("'top_p':1").topP()).isEqualTo(1f);
        assertThat(sampling("'top_p':0.000001").topP()).isEqualTo(0.000001f);
        assertThat(sampling("'min_p':0").minP()).isZero();
        assertThat(sampling("'min_p':1").minP()).isEqualTo(1f);
        assertThat(sampling("'presence_penalty':-2").presencePenalty()).isEqualTo(-2f);
        assertThat(sampling("'presence_penalty':2").presencePenalty()).isEqualTo(2f);
        assertThat(sampling("'frequency_penalty':-2").frequencyPenalty()).isEqualTo(-2f);
        assertThat(sampling("'frequency_penalty':2").frequencyPenalty()).isEqualTo(2f);
        assertThat(sampling("'repetition_penalty':10").repetitionPenalty()).isEqualTo(10f);
        assertThat(sampling("'repetition_penalty':0.01").repetitionPenalty()).isEqualTo(0.01f);
        assertThat(sampling("'top_k':-1").topK()).isEqualTo(-1);
        assertThat(sampling("'top_k':0").topK()).isZero();
        assertThat(sampling("'n':16").n()).isEqualTo(16);
        assertThat(sampling("'max_tokens':1").maxTokens()).isEqualTo(1);
        assertThat(sampling("'max_tokens':2147483647").maxTokens()).isEqualTo(Integer.MAX_VALUE);
        assertThat(sampling("'seed':-1").seed()).isEqualTo(-1L);
        assertThat(sampling("'seed':9223372036854775807").seed()).isEqualTo(Long.MAX_VALUE);
        // an integral number written with a fraction is an integer
        assertThat(sampling("'n':2.0").n()).isEqualTo(2);
    }

    @Test
    void valuesJustOutsideARangeAre400sThatNameTheParameterAndTheRange() {
        rejects("'temperature':2.01", "temperature", "'temperature' must be >= 0 and <= 2, got 2.01");
        rejects("'temperature':-0.01", "temperature", "'temperature' must be >= 0 and <= 2, got -0.01");
        rejects("'top_p':0", "top_p", "'top_p' must be > 0 and <= 1, got 0");
        rejects("'top_p':1.01", "top_p", "'top_p' must be > 0 and <= 1");
        rejects("'min_p':-0.01", "min_p", "'min_p' must be >= 0 and <= 1");
        rejects("'min_p':1.01", "min_p", "'min_p'");
        rejects("'presence_penalty':-2.01", "presence_penalty", "'presence_penalty' must be >= -2 and <= 2");
        rejects("'presence_penalty':2.01", "presence_penalty", "'presence_penalty'");
        rejects("'frequency_penalty':-2.01", "frequency_penalty", "'frequency_penalty'");
        rejects("'frequency_penalty':2.01", "frequency_penalty", "'frequency_penalty'");
        rejects("'repetition_penalty':0", "repetition_penalty", "'repetition_penalty' must be > 0 and <= 10, got 0");
        rejects("'repetition_penalty':10.01", "repetition_penalty", "'repetition_penalty'");
        rejects("'top_k':-2", "top_k", "'top_k' must be between -1 and 2147483647, got -2");
        rejects("'n':0", "n", "'n' must be between 1 and 16, got 0");
        rejects("'n':17", "n", "'n' must be between 1 and 16, got 17");
        rejects("'n':1e30", "n", "'n' must be between 1 and 16");
        rejects("'max_tokens':0", "max_tokens", "'max_tokens' must be between 1 and 2147483647, got 0");
        rejects("'max_tokens':2147483648", "max_tokens", "'max_tokens' must be between");
    }

    @Test
    void wrongTypesAre400sThatSayWhatCame() {
        rejects("'temperature':'hot'", "temperature", "'temperature' must be a number, got a string");
        rejects("'top_p':true", "top_p", "'top_p' must be a number, got a boolean");
        rejects("'n':2.5", "n", "'n' must be an integer, got a number");
        rejects("'n':'2'", "n", "'n' must be an integer, got a string");
        rejects("'seed':'abc'", "seed", "'seed' must be a 64-bit integer, got a string");
        rejects("'seed':1.5", "seed", "'seed' must be a 64-bit integer, got a number");
        rejects("'seed':18446744073709551616", "seed", "'seed' must be a 64-bit integer");
        rejects("'stream':'yes'", "stream", "'stream' must be a boolean, got a string");
        rejects("'user':5", "user", "'user' must be a string, got an integer");
        rejects("'stop':5", "stop", "'stop' must be a string or a list of strings, got an integer");
        rejects("'stop':{}", "stop", "got an object");
        rejects("'stop':[1]", "stop", "'stop' must hold only strings, got an integer");
        rejects("'stop_token_ids':'x'", "stop_token_ids", "'stop_token_ids' must be a list of integers, got a string");
        rejects("'stop_token_ids':[1.5]", "stop_token_ids", "'stop_token_ids' must hold only integers, got a number");
        rejects("'stop_token_ids':[[1]]", "stop_token_ids", "got a list");
        rejects("'logit_bias':[1]", "logit_bias", "'logit_bias' must be an object from token ids to numbers, got a list");
        assertThatThrownBy(() -> parser.completion(json("{'prompt':'x','model':5}")))
                .hasMessageContaining("'model' must be a string, got an integer");
    }

    @Test
    void stopListsHoldAtMostSixteenStrings() {
        String sixteen = IntStream.range(0, 16).mapToObj(i -> "'s" + i + "'").collect(Collectors.joining(","));
        assertThat(sampling("'stop':[" + sixteen + "]").stop()).hasSize(16);
        rejects("'stop':[" + sixteen + ",'x']", "stop", "'stop' may hold at most 16 items, got 17");
        assertThat(sampling("'stop':'end'").stop()).containsExactly("end");
        assertThat(sampling("'stop':''").stop()).isEmpty();
    }

    @Test
    void stopTokenIdsAndLogitBiasAcceptTheWholeVocabularyAndNothingElse() {
        rejects("'stop_token_ids':[1000]", "stop_token_ids", "'stop_token_ids' holds 1000, outside 0..999");
        rejects("'stop_token_ids':[-1]", "stop_token_ids", "holds -1, outside 0..999");
        rejects("'logit_bias':{'1000':1}", "logit_bias", "'logit_bias' holds token id 1000, outside 0..999");
        rejects("'logit_bias':{'-1':1}", "logit_bias", "token id -1, outside 0..999");
        rejects("'logit_bias':{'abc':1}", "logit_bias", "'logit_bias' keys must be token ids, got 'abc'");
        rejects("'logit_bias':{'5':-100.5}", "logit_bias",
                "'logit_bias' values must be numbers in [-100, 100], got -100.5 for token 5");
        rejects("'logit_bias':{'5':100.5}", "logit_bias", "got 100.5 for token 5");
        rejects("'logit_bias':{'5':'x'}", "logit_bias", "for token 5");
        assertThat(sampling("'logit_bias':{'0':-100}").logitBias()).isEqualTo(Map.of(0, -100f));
        assertThat(sampling("'logit_bias':{'999':100}").logitBias()).isEqualTo(Map.of(999, 100f));
        assertThat(sampling("'logit_bias':{}").logitBias()).isEmpty();
    }

    @Test
    void streamOptionsNeedAStreamAndAnObject() {
        rejects("'stream_options':{'include_usage':true}", "stream_options",
                "'stream_options' is only allowed when 'stream' is true");
        rejects("'stream':false,'stream_options':{}", "stream_options", "only allowed when 'stream' is true");
        rejects("'stream':true,'stream_options':[]", "stream_options", "'stream_options' must be an object, got a list");
        rejects("'stream':true,'stream_options':{'include_usage':1}", "include_usage", "must be a boolean");
        SamplingOptions s = sampling("'stream':true,'stream_options':{}");
        assertThat(s.stream()).isTrue();
        assertThat(s.includeUsage()).isFalse();
    }

    @Test
    void structuredOutputFieldsAreReadAndMalformedOnesNamed() {
        assertThat(sampling("'response_format':{'type':'text'}").output()).isNull();
        assertThat(sampling("'response_format':{'type':'json_object'}").output())
                .isEqualTo(new OutputSpec.AnyJsonObject("response_format"));
        assertThat(sampling("'response_format':{'type':'json_schema','json_schema':{'name':'x','strict':true,"
                + "'schema':{'type':'object'}}}").output())
                .isInstanceOfSatisfying(OutputSpec.JsonSchema.class, s -> assertThat(s.schema().toString())
                        .isEqualTo("{\"type\":\"object\"}"));
        assertThat(sampling("'guided_choice':['a','b']").output())
                .isEqualTo(new OutputSpec.Choice("guided_choice", List.of("a", "b")));
        assertThat(sampling("'structured_outputs':{'regex':'a+'}").output())
                .isEqualTo(new OutputSpec.Regex("structured_outputs.regex", "a+"));
        assertThat(sampling("'guided_json':'{\\\"type\\\":\\\"integer\\\"}'").output())
                .isInstanceOf(OutputSpec.JsonSchema.class);
        assertThat(sampling("'grammar':'root ::= \\\"a\\\"'").output()).isInstanceOf(OutputSpec.Gbnf.class);
        rejects("'response_format':'text'", "response_format", "must be an object");
        rejects("'response_format':{'type':'xml'}", "response_format.type", "text, json_object or json_schema");
        rejects("'response_format':{'type':'json_schema'}", "response_format.json_schema", "must be an object");
        rejects("'response_format':{'type':'json_schema','json_schema':{'name':'x'}}",
                "response_format.json_schema.schema", "is required");
        rejects("'structured_outputs':{}", "structured_outputs", "exactly one");
        rejects("'structured_outputs':{'structural_tag':{}}", "structured_outputs.structural_tag", "not supported");
        rejects("'guided_regex':'a','guided_choice':['b']", "guided_choice", "only one");
        rejects("'guided_choice':[]", "guided_choice", "non-empty list");
        rejects("'guided_json':'{nope'", "guided_json", "not JSON");
    }

    @Test
    void completionPromptsComeInFourShapes() {
        assertThat(parser.completion(json("{'prompt':'hi','model':'m'}")))
                .satisfies(r -> assertThat(r.model()).isEqualTo("m"))
                .satisfies(r -> assertThat(r.prompts()).containsExactly(new Prompt.Text("hi")));
        List<Prompt> tokens = parser.completion(json("{'prompt':[0,999]}")).prompts();
        assertThat(tokens).hasSize(1);
        assertThat(((Prompt.Tokens) tokens.getFirst()).tokens()).containsExactly(0, 999);
        assertThat(parser.completion(json("{'prompt':['a','b']}")).prompts())
                .containsExactly(new Prompt.Text("a"), new Prompt.Text("b"));
        List<Prompt> lists = parser.completion(json("{'prompt':[[1,2],[3]]}")).prompts();
        assertThat(lists).hasSize(2);
        assertThat(((Prompt.Tokens) lists.get(0)).tokens()).containsExactly(1, 2);
        assertThat(((Prompt.Tokens) lists.get(1)).tokens()).containsExactly(3);
        // one long token prompt is one prompt, however long
        String twenty = IntStream.range(0, 20).mapToObj(Integer::toString).collect(Collectors.joining(","));
        assertThat(parser.completion(json("{'prompt':[" + twenty + "]}")).prompts()).hasSize(1);
        String sixteen = IntStream.range(0, 16).mapToObj(i -> "'p'").collect(Collectors.joining(","));
        assertThat(parser.completion(json("{'prompt':[" + sixteen + "]}")).prompts()).hasSize(16);
    }

    @Test
    void badPromptsAre400s() {
        rejectsPrompt("{}", "'prompt' is required");
        rejectsPrompt("{'prompt':null}", "'prompt' is required");
        rejectsPrompt("{'prompt':[]}", "'prompt' must be a string, a list of strings, a list of token ids");
        rejectsPrompt("{'prompt':5}", "'prompt' must be a string");
        rejectsPrompt("{'prompt':[1000]}", "'prompt' holds 1000, outside 0..999");
        rejectsPrompt("{'prompt':[[1],[-1]]}", "'prompt' holds -1");
        rejectsPrompt("{'prompt':[[1],[1000]]}", "'prompt' holds 1000, outside 0..999");
        rejectsPrompt("{'prompt':[[]]}", "'prompt' lists must hold strings or non-empty lists of token ids, got a list");
        rejectsPrompt("{'prompt':['a',5]}", "got an integer");
        String seventeen = IntStream.range(0, 17).mapToObj(i -> "'p'").collect(Collectors.joining(","));
        rejectsPrompt("{'prompt':[" + seventeen + "]}", "at most 16 prompts per request, got 17");
    }

    private void rejectsPrompt(String body, String message) {
        assertThatThrownBy(() -> parser.completion(json(body))).as(body)
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.toResponse().error().param())
                        .isEqualTo("prompt"))
                .hasMessageContaining(message);
    }

    @Test
    void completionOnlyOptionsAreCheckedOrRefused() {
        rejects("'echo':true", "echo", "'echo' is not supported");
        assertThat(sampling("'echo':false").n()).isEqualTo(1);
        rejects("'suffix':'x'", "suffix", "'suffix' is not supported");
        rejects("'best_of':2", "best_of", "'best_of' other than n is not supported");
        rejects("'best_of':17,'n':16", "best_of", "'best_of' must be between 1 and 16");
        assertThat(sampling("'best_of':2,'n':2").n()).isEqualTo(2);
        assertThat(sampling("'best_of':1").n()).isEqualTo(1);
        assertThat(sampling("'logprobs':5").topLogprobs()).isEqualTo(5);
        assertThat(sampling("'logprobs':0").logprobs()).isTrue();
        assertThat(sampling("'logprobs':20").topLogprobs()).isEqualTo(20);
        rejects("'logprobs':21", "logprobs", "'logprobs' must be between 0 and 20, got 21");
    }

    @Test
    void chatMessagesKeepRoleContentAndName() {
        ChatRequest r = parser.chat(json("{'model':'m','messages':[{'role':'developer','content':'be brief'},"
                + "{'role':'user','content':[{'type':'text','text':'a'},{'type':'text','text':'b'}],'name':'bob'},"
                + "{'role':'assistant','content':null,'name':5},{'role':'tool','content':'42'},"
                + "{'role':'system','content':''}]}"));
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.messages()).containsExactly(new ChatMessage("system", "be brief", null),
                new ChatMessage("user", "a\nb", "bob"), new ChatMessage("assistant", "", null),
                new ChatMessage("tool", "42", null), new ChatMessage("system", "", null));
        assertThat(r.addGenerationPrompt()).isTrue();
        assertThat(r.sampling().topLogprobs()).isEqualTo(-1);
        assertThat(parser.chat(json("{'messages':[{'role':'user','content':'x'}],'add_generation_prompt':false}"))
                .addGenerationPrompt()).isFalse();
    }

    @Test
    void badChatMessagesAre400sNamingTheMessage() {
        rejectsChat("{}", "messages", "'messages' is required");
        rejectsChat("{'messages':null}", "messages", "'messages' is required");
        rejectsChat("{'messages':[]}", "messages", "'messages' must be a non-empty list of messages");
        rejectsChat("{'messages':{}}", "messages", "non-empty list");
        rejectsChat("{'messages':[1]}", "messages[0]", "'messages[0]' must be an object, got an integer");
        rejectsChat("{'messages':[{'role':'user','content':'x'},{'content':'y'}]}", "messages[1].role",
                "'messages[1].role' must be one of [assistant, developer, system, tool, user]");
        rejectsChat("{'messages':[{'role':'robot','content':'x'}]}", "messages[0].role", "must be one of");
        rejectsChat("{'messages':[{'role':5,'content':'x'}]}", "messages[0].role", "must be one of");
        rejectsChat("{'messages':[{'role':'user'}]}", "messages[0].content",
                "'messages[0].content' is required for a user message");
        rejectsChat("{'messages':[{'role':'developer','content':null}]}", "messages[0].content",
                "is required for a developer message");
        rejectsChat("{'messages':[{'role':'user','content':5}]}", "messages[0].content",
                "'messages[0].content' must be a string or a list of content parts");
        rejectsChat("{'messages':[{'role':'user','content':[{'type':'image_url','text':'x'}]}]}", "messages[0].content",
                "may hold only text parts");
        rejectsChat("{'messages':[{'role':'user','content':[{'type':'text','text':5}]}]}", "messages[0].content",
                "may hold only text parts");
        rejectsChat("{'messages':[{'role':'user','content':['a']}]}", "messages[0].content", "only text parts");
    }

    @Test
    void chatOptionsToolsLogprobsAndMaxTokens() {
        String m = "'messages':[{'role':'user','content':'x'}]";
        assertThat(parser.chat(json("{" + m + ",'tools':[]}")).messages()).hasSize(1);
        assertThat(parser.chat(json("{" + m + ",'tools':null}")).messages()).hasSize(1);
        rejectsChat("{" + m + ",'tools':[{}]}", "tools[0]", "must be {\"type\": \"function\"");
        rejectsChat("{" + m + ",'tools':'x'}", "tools", "must be a list");
        rejectsChat("{" + m + ",'tool_choice':'required'}", "tool_choice", "requires 'tools'");
        String f = "'tools':[{'type':'function','function':{'name':'f','parameters':{'type':'object'}}}]";
        ChatRequest auto = parser.chat(json("{" + m + "," + f + "}"));
        assertThat(auto.tools().choice()).isEqualTo(new ToolRequest.Choice.Auto());
        assertThat(auto.sampling().output()).isNull();
        ChatRequest named = parser.chat(json("{" + m + "," + f + ",'tool_choice':{'type':'function','function':{'name':'f'}},"
                + "'parallel_tool_calls':false}"));
        assertThat(named.sampling().output()).isEqualTo(new OutputSpec.JsonSchema("tools", json("{'type':'object'}")));
        assertThat(named.tools().parallel()).isFalse();
        rejectsChat("{" + m + "," + f + ",'tool_choice':'required','response_format':{'type':'json_object'}}",
                "response_format", "cannot be combined");
        ChatRequest round = parser.chat(json("{'messages':[{'role':'user','content':'x'},{'role':'assistant','content':null,"
                + "'tool_calls':[{'id':'c1','type':'function','function':{'name':'f','arguments':'{\\\"a\\\":1}'}}]},"
                + "{'role':'tool','tool_call_id':'c1','content':'42'}]}"));
        assertThat(round.messages().get(1).toolCalls()).singleElement().satisfies(c ->
                assertThat(c.get("function")).isEqualTo(Map.of("name", "f", "arguments", Map.of("a", 1))));
        assertThat(round.messages().get(2).toolCallId()).isEqualTo("c1");
        assertThat(parser.chat(json("{" + m + ",'logprobs':true,'top_logprobs':3}")).sampling().topLogprobs())
                .isEqualTo(3);
        assertThat(parser.chat(json("{" + m + ",'logprobs':true}")).sampling().topLogprobs()).isZero();
        assertThat(parser.chat(json("{" + m + ",'logprobs':false}")).sampling().logprobs()).isFalse();
        rejectsChat("{" + m + ",'top_logprobs':3}", "top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
        rejectsChat("{" + m + ",'logprobs':true,'top_logprobs':21}", "top_logprobs", "between 0 and 20");
        assertThat(parser.chat(json("{" + m + ",'max_completion_tokens':5,'max_tokens':9}")).sampling().maxTokens())
                .isEqualTo(5);
        assertThat(parser.chat(json("{" + m + ",'max_tokens':9}")).sampling().maxTokens()).isEqualTo(9);
        rejectsChat("{" + m + ",'max_completion_tokens':0}", "max_completion_tokens", "between 1 and");
        assertThat(parser.chat(json("{" + m + ",'temperature':0.3,'seed':7}")).sampling())
                .satisfies(s -> assertThat(s.temperature()).isEqualTo(0.3f))
                .satisfies(s -> assertThat(s.seed()).isEqualTo(7L));
    }

    @Test
    void apiExceptionsCarryStatusTypeParamAndRetryAfter() {
        ApiException invalid = ApiException.invalid("n", "bad n");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.retryAfterSeconds()).isEqualTo(-1);
        assertThat(invalid.toResponse()).isEqualTo(new ErrorResponse(
                new ErrorResponse.Error("bad n", "invalid_request_error", "n", "invalid_value")));
        ApiException bad = ApiException.badRequest("no");
        assertThat(bad.toResponse().error()).isEqualTo(new ErrorResponse.Error("no", "invalid_request_error", null,
                null));
        ApiException busy = new ApiException(429, "rate_limit_exceeded", null, "busy", "full");
        assertThat(busy.withRetryAfter(7)).isSameAs(busy);
        assertThat(busy.retryAfterSeconds()).isEqualTo(7);
        assertThat(busy.status()).isEqualTo(429);
    }

    @Test
    void jsonIsSnakeCaseAndKeepsNullErrorFieldsButDropsAbsentUsage() {
        assertThat(Json.writeString(Usage.of(2, 3, 1))).isEqualTo("{\"prompt_tokens\":2,\"completion_tokens\":3,"
                + "\"total_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":1}}");
        assertThat(new String(Json.write(ApiException.badRequest("no").toResponse()), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":null}}");
        assertThat(Json.writeString(new ChatCompletions.Chunk("id", "chat.completion.chunk", 1, "m", "fp", List.of(), null)))
                .doesNotContain("usage");
        assertThat(Json.writeString(new ChatCompletions.Delta(null, "x"))).isEqualTo("{\"content\":\"x\"}");
        assertThat(Json.writeString(new Models.Model("m", "model", 0, "sluice", "m", null, 512))).contains("\"owned_by\":\"sluice\"")
                .contains("\"max_model_len\":512");
    }

    @Test
    void paramsTellPresentFromAbsentAndNull() {
        Params p = new Params(json("{'a':1,'n':null}"));
        assertThat(p.has("a")).isTrue();
        assertThat(p.has("n")).isFalse();
        assertThat(p.has("missing")).isFalse();
    }

    @Test
    void onlyAJsonObjectIsARequestBody() {
        assertThat(Json.readObject("{\"a\":1,\"unknown\":{}}".getBytes()).get("a").asInt()).isEqualTo(1);
        for (String body : List.of("[1]", "3", "\"x\"", "null")) {
            assertThatThrownBy(() -> Json.readObject(body.getBytes())).as(body)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                    .hasMessageContaining("the request body must be a JSON object");
        }
        assertThatThrownBy(() -> Json.readObject("{\"a\":".getBytes()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageStartingWith("the request body is not valid JSON: ")
                .hasMessageNotContaining("\n")
                .satisfies(e -> assertThat(e.getMessage().length()).as("the parser's reason follows")
                        .isGreaterThan("the request body is not valid JSON: ".length() + 5));
    }
}
