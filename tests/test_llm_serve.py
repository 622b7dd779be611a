"""The server reads every prompt from the end of its first message, whatever came before, and computes on
its main thread (a stand-in Llama)."""
import threading

import pytest

from rag.llm import serve

END = 99  # the stand-in's end-of-message token


class StandInLlama:
    """Keeps a cache of token ids like llama_cpp.Llama; its generate reads what follows the common prefix."""

    def __init__(self):
        self.input_ids, self.n_tokens, self.read = [], 0, []
        self._ctx = self

    @property
    def _input_ids(self):
        return self.input_ids[:self.n_tokens]

    def tokenize(self, text, add_bos=False, special=False):
        return [END] if text == serve.END_OF_MESSAGE and special else [1, 2]

    @staticmethod
    def longest_token_prefix(a, b):
        n = 0
        for x, y in zip(a, b):
            if x != y:
                break
            n += 1
        return n

    def reset(self):
        self.n_tokens = 0

    def eval(self, tokens):
        self.input_ids = self.input_ids[:self.n_tokens] + list(tokens)
        self.n_tokens += len(tokens)
        self.read.append(list(tokens))

    def kv_cache_seq_rm(self, seq, start, end):
        return True

    def generate(self, tokens, reset=True):
        if reset:
            self.n_tokens = self.longest_token_prefix(self._input_ids, tokens[:-1])
        self.eval(tokens[self.n_tokens:])
        return iter(())


class StandInHeads:
    """``serve.Heads`` for the stand-in: keeps the token ids a first message left in the cache."""

    def __init__(self):
        self.kept, self.restored = {}, []

    def restore(self, llama, head):
        if tuple(head) not in self.kept:
            return False
        llama.input_ids, llama.n_tokens = list(head), len(head)
        self.restored.append(list(head))
        return True

    def keep(self, llama, head):
        assert llama._input_ids == list(head)
        self.kept[tuple(head)] = True


class Patched(StandInLlama):
    def __init__(self):
        super().__init__()
        self._rag_heads = StandInHeads()


serve.patch(Patched)


def test_first_message_ends_at_the_first_end_of_message_token():
    assert serve.first_message([1, 2, END, 3, END, 4], END) == 3
    assert serve.first_message([1, 2, 3], END) == 0 and serve.first_message([1, END], None) == 0


def test_a_prompt_is_read_from_the_end_of_its_first_message_whatever_came_before():
    system, question = [7, 8, END], [5, 6, 1, 2, 3]
    for before in ([7, 8, END, 5, 6, 1, 2, 4],   # shares the sources with it: not reused
                   [7, 8, END, 9],              # shares the system prompt only
                   [4, END, 5, 6, 1, 2, 3]):    # another first message: the system prompt is read alone
        llama = Patched()
        llama.generate(before)
        llama.read.clear()
        llama.generate(system + question)
        assert llama.read[-1] == question and llama.input_ids == system + question
        assert llama.read in ([question], [system, question])
    # without the change the reading starts where the previous prompt stops matching
    plain = StandInLlama()
    plain.generate([7, 8, END, 5, 6, 1, 2, 4])
    plain.generate(system + question)
    assert plain.read[-1] == [3]


def test_a_first_message_read_once_is_restored_after_a_call_with_another():
    system, question, translation = [7, 8, END], [5, 6, 1, 2, 3], [4, END, 5]
    llama = Patched()
    llama.generate(system + question)
    llama.generate(translation)           # a call with another first message (no system prompt)
    llama.read.clear()
    llama.generate(system + [5, 6, 1, 2, 4])
    assert llama.read == [[5, 6, 1, 2, 4]]  # the system prompt is not read again
    assert llama._rag_heads.restored == [system] and llama.input_ids == system + [5, 6, 1, 2, 4]


def test_a_prompt_without_a_first_message_is_read_whole():
    llama = Patched()
    llama.generate([1, 2, 3])
    llama.generate([1, 2, 4])
    assert llama.read == [[1, 2, 3], [1, 2, 4]]


class OnMain(StandInLlama):
    """Records the thread each computation runs on; a prompt with token 13 fails."""

    def __init__(self):
        super().__init__()
        self._rag_heads, self.threads = StandInHeads(), []

    def eval(self, tokens):
        self.threads.append(threading.current_thread())
        if 13 in tokens:
            raise ValueError("unlucky")
        return super().eval(tokens)


serve.patch(OnMain)


def test_the_models_computations_run_on_the_main_thread_whichever_thread_asks():
    llm, seen = OnMain(), {}

    def http_server():  # what uvicorn's worker threads do: read prompts, one failing
        llm.generate([1, 2, END, 3, 4])
        llm.generate([1, 2, END, 5])
        try:
            llm.generate([1, 2, END, 13])
        except ValueError as e:
            seen["error"] = e
        seen["thread"] = threading.current_thread()

    serve.beside_main(http_server)()  # as uvicorn.run: in a thread of its own
    assert seen["thread"] is not threading.main_thread()
    assert llm.threads and all(t is threading.main_thread() for t in llm.threads)
    assert str(seen["error"]) == "unlucky"  # raised where it was asked for
    assert llm.read[-1] == [5]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_with_the_real_model_a_prompt_reads_the_same_after_any_other():
    from llama_cpp import Llama

    from rag.llm.model_file import ensure_model
    from rag.settings import Settings

    class Real(Llama):
        pass
    serve.patch(Real)
    llm = Real(model_path=str(ensure_model(Settings().cache_dir)), n_ctx=512, n_threads=2, n_batch=64,
               chat_format="chatml", logits_all=True, verbose=False)
    system = {"role": "system", "content": "Answer with one word."}
    prompt = [system, {"role": "user", "content": "Which city is the capital of France? The capital is"}]
    before = [[system, {"role": "user", "content": "Which city is the capital of Spain? The capital is"}],
              [{"role": "user", "content": "Say hello."}], prompt]
    seen = []
    for other in before:
        llm.create_chat_completion(other, max_tokens=2, temperature=0)
        out = llm.create_chat_completion(prompt, max_tokens=1, temperature=0, logprobs=True, top_logprobs=3)
        assert serve._end_token(llm) is not None
        seen.append(out["choices"][0]["logprobs"]["content"][0]["top_logprobs"])
    assert seen[0] == seen[1] == seen[2]  # the same numbers, to the last bit
    assert len(llm._rag_heads._states) == 2  # after "Say hello.", the system prompt came from its kept copy
