"""6_1_instruction_tuning: implementations written from the release notebook alone (independently written; the author saw
neither source/, solutions/ nor graders/). The correct ones differ in how the template is built (f-string, concatenation,
join), how the example is assembled (Python lists, preallocated tensors, torch.cat + pad) and how the answer is generated
(a plain argmax loop, model.generate, an argmax loop with a KV cache)."""

ASSIGNMENT = "6_1_instruction_tuning"

# ----------------------------------------------------------------------------------------------- format_prompt
_FP_FSTRING = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    prompt = f"QUESTION: {question} ANSWER:"
    if answer is None:
        return prompt
    return f"{prompt} {answer}"
'''

_FP_CONCAT = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    text = "QUESTION: " + question + " ANSWER:"
    if answer is not None:
        text = text + " " + answer
    return text
'''

_FP_JOIN = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    parts = ["QUESTION:", question, "ANSWER:"]
    if answer is not None:
        parts.append(answer)
    return " ".join(parts)
'''

# wrong: strips the question and the answer
_FP_STRIPS = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    prompt = f"QUESTION: {question.strip()} ANSWER:"
    if answer is None:
        return prompt
    return f"{prompt} {answer.strip()}"
'''

# wrong: an empty answer is treated like no answer
_FP_FALSY = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    prompt = f"QUESTION: {question} ANSWER:"
    if not answer:
        return prompt
    return f"{prompt} {answer}"
'''

# wrong: the question-time prompt ends with a space
_FP_TRAILING_SPACE = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    prompt = f"QUESTION: {question} ANSWER: "
    if answer is None:
        return prompt
    return prompt + answer
'''

# wrong: no space between "ANSWER:" and the answer
_FP_NO_SPACE = '''
def format_prompt(question: str, answer: str | None = None) -> str:
    """"QUESTION: {question} ANSWER:", followed by " {answer}" when an answer is given."""
    text = "QUESTION: " + question + " ANSWER:"
    if answer is not None:
        text = text + answer
    return text
'''

# -------------------------------------------------------------------------------------------- tokenize_example
_TOK_LISTS = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids + [eos])[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids + [eos])[:max_length]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * n_pad
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

_TOK_PREALLOC = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if not max_length >= 1:
        raise ValueError("max_length must be >= 1")
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    reply = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
    sequence = torch.tensor(list(prompt) + list(reply) + [tokenizer.eos_token_id], dtype=torch.long)[:max_length]
    n_real = sequence.numel()
    input_ids = torch.full((max_length,), tokenizer.pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros(max_length, dtype=torch.long)
    labels = torch.full((max_length,), -100, dtype=torch.long)
    input_ids[:n_real] = sequence
    attention_mask[:n_real] = 1
    first_learned = min(len(prompt), n_real)
    labels[first_learned:n_real] = sequence[first_learned:n_real]
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

_TOK_CAT = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError("tokenize_example needs max_length >= 1")
    encode = lambda text: torch.as_tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    prompt, reply = encode(format_prompt(question)), encode(" " + answer)
    eos = torch.tensor([tokenizer.eos_token_id], dtype=torch.long)
    real = torch.cat([prompt, reply, eos])[:max_length]
    n_real = real.shape[0]
    input_ids = torch.nn.functional.pad(real, (0, max_length - n_real), value=tokenizer.pad_token_id)
    positions = torch.arange(max_length)
    attention_mask = (positions < n_real).long()
    labels = input_ids.clone()
    labels[(positions < prompt.shape[0]) | (positions >= n_real)] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# wrong: no EOS after the answer
_TOK_NO_EOS = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    ids = (prompt_ids + answer_ids)[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids)[:max_length]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * n_pad
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

# wrong: padding on the left
_TOK_LEFT_PAD = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids + [eos])[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids + [eos])[:max_length]
    n_pad = max_length - len(ids)
    mask = [0] * n_pad + [1] * len(ids)
    ids = [tokenizer.pad_token_id] * n_pad + ids
    labels = [-100] * n_pad + labels
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

# wrong: the attention mask is taken from the ids (pad id == EOS id hides the EOS)
_TOK_MASK_BY_ID = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if not max_length >= 1:
        raise ValueError("max_length must be >= 1")
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    reply = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
    sequence = torch.tensor(list(prompt) + list(reply) + [tokenizer.eos_token_id], dtype=torch.long)[:max_length]
    n_real = sequence.numel()
    input_ids = torch.full((max_length,), tokenizer.pad_token_id, dtype=torch.long)
    labels = torch.full((max_length,), -100, dtype=torch.long)
    input_ids[:n_real] = sequence
    attention_mask = (input_ids != tokenizer.pad_token_id).long()
    first_learned = min(len(prompt), n_real)
    labels[first_learned:n_real] = sequence[first_learned:n_real]
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# wrong: truncation cuts the answer but keeps the EOS at the end
_TOK_KEEPS_EOS = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids)[:max_length - 1] + [eos]
    labels = ([-100] * len(prompt_ids) + answer_ids)[:max_length - 1] + [eos]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * n_pad
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

# wrong: int32 tensors instead of torch.long
_TOK_INT32 = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids + [eos])[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids + [eos])[:max_length]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * n_pad
    return {
        "input_ids": torch.tensor(ids, dtype=torch.int32),
        "attention_mask": torch.tensor(mask, dtype=torch.int32),
        "labels": torch.tensor(labels, dtype=torch.int32),
    }
'''

# wrong (input check): max_length < 1 is not rejected
_TOK_NO_CHECK = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    encode = lambda text: torch.as_tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    prompt, reply = encode(format_prompt(question)), encode(" " + answer)
    eos = torch.tensor([tokenizer.eos_token_id], dtype=torch.long)
    real = torch.cat([prompt, reply, eos])[:max(max_length, 0)]
    n_real = real.shape[0]
    input_ids = torch.nn.functional.pad(real, (0, max(max_length, 0) - n_real), value=tokenizer.pad_token_id)
    positions = torch.arange(max(max_length, 0))
    attention_mask = (positions < n_real).long()
    labels = input_ids.clone()
    labels[(positions < prompt.shape[0]) | (positions >= n_real)] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# wrong (input check): an assert instead of the ValueError the task asks for
_TOK_ASSERTS = _TOK_NO_CHECK.replace(
    '''    encode = lambda text''',
    '''    assert max_length >= 1, f"max_length must be at least 1, got {max_length}"
    encode = lambda text''', 1)

# wrong (input check): off by one, max_length == 1 is rejected too
_TOK_CHECK_OFF_BY_ONE = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length <= 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids + [eos])[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids + [eos])[:max_length]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * n_pad
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

# wrong: the classic bug, labels masked where the id equals the pad id (masks the EOS when pad is EOS)
_TOK_LABELS_BY_PAD_ID = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError("tokenize_example needs max_length >= 1")
    encode = lambda text: torch.as_tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    prompt, reply = encode(format_prompt(question)), encode(" " + answer)
    eos = torch.tensor([tokenizer.eos_token_id], dtype=torch.long)
    real = torch.cat([prompt, reply, eos])[:max_length]
    n_real = real.shape[0]
    input_ids = torch.nn.functional.pad(real, (0, max_length - n_real), value=tokenizer.pad_token_id)
    positions = torch.arange(max_length)
    attention_mask = (positions < n_real).long()
    labels = input_ids.clone()
    labels[positions < prompt.shape[0]] = -100
    labels[input_ids == tokenizer.pad_token_id] = -100
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# wrong: the prompt keeps its labels (only the padding is masked)
_TOK_PROMPT_LEARNED = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if not max_length >= 1:
        raise ValueError("max_length must be >= 1")
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    reply = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
    sequence = torch.tensor(list(prompt) + list(reply) + [tokenizer.eos_token_id], dtype=torch.long)[:max_length]
    n_real = sequence.numel()
    input_ids = torch.full((max_length,), tokenizer.pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros(max_length, dtype=torch.long)
    labels = torch.full((max_length,), -100, dtype=torch.long)
    input_ids[:n_real] = sequence
    attention_mask[:n_real] = 1
    labels[:n_real] = sequence
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# wrong: labels shifted by hand (the model shifts them again)
_TOK_PRESHIFTED = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    prompt_ids = list(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"])
    answer_ids = list(tokenizer(" " + answer, add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    ids = (prompt_ids + answer_ids + [eos])[:max_length]
    labels = ([-100] * len(prompt_ids) + answer_ids + [eos])[1:max_length + 1]
    n_pad = max_length - len(ids)
    mask = [1] * len(ids) + [0] * n_pad
    ids = ids + [tokenizer.pad_token_id] * n_pad
    labels = labels + [-100] * (max_length - len(labels))
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }
'''

# wrong: off by one at the prompt/answer boundary, the first answer token is masked too
_TOK_BOUNDARY_OFF_BY_ONE = '''
def tokenize_example(question: str, answer: str, tokenizer, max_length: int) -> dict[str, Tensor]:
    """input_ids, attention_mask and labels (1-D LongTensors of length max_length) of one example."""
    if not max_length >= 1:
        raise ValueError("max_length must be >= 1")
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    reply = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
    sequence = torch.tensor(list(prompt) + list(reply) + [tokenizer.eos_token_id], dtype=torch.long)[:max_length]
    n_real = sequence.numel()
    input_ids = torch.full((max_length,), tokenizer.pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros(max_length, dtype=torch.long)
    labels = torch.full((max_length,), -100, dtype=torch.long)
    input_ids[:n_real] = sequence
    attention_mask[:n_real] = 1
    first_learned = min(len(prompt) + 1, n_real)
    labels[first_learned:n_real] = sequence[first_learned:n_real]
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
'''

# ---------------------------------------------------------------------------------------------- answer_question
_ANS_LOOP = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must not be negative, got {max_new_tokens}")
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            next_id = int(model(ids).logits[0, -1].argmax())
            if next_id == tokenizer.eos_token_id:
                break
            new_tokens.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode(new_tokens).strip()
'''

_ANS_GENERATE = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be >= 0")
    if max_new_tokens == 0:
        return ""
    encoded = tokenizer(format_prompt(question), add_special_tokens=False, return_tensors="pt")
    input_ids = encoded["input_ids"].to(model.device)
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    with torch.inference_mode():
        output = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False, num_beams=1,
                                max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=pad)
    new_tokens = output[0, input_ids.shape[1]:].tolist()
    if eos in new_tokens:
        new_tokens = new_tokens[:new_tokens.index(eos)]
    return tokenizer.decode(new_tokens).strip()
'''

_ANS_KV_CACHE = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if not max_new_tokens >= 0:
        raise ValueError("answer_question: max_new_tokens is negative")
    device = model.device
    ids = torch.as_tensor(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"],
                          dtype=torch.long, device=device).unsqueeze(0)
    answer = []
    step = 0
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True)
        while step < max_new_tokens:
            token = int(torch.argmax(out.logits[0, -1]).item())
            if token == tokenizer.eos_token_id:
                break
            answer.append(token)
            step += 1
            if step < max_new_tokens:
                out = model(input_ids=torch.tensor([[token]], device=device), cache=out.cache,
                            use_cache=True)
    return tokenizer.decode(answer).strip()
'''

# wrong: returns the prompt and the answer
_ANS_WITH_PROMPT = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must not be negative, got {max_new_tokens}")
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            next_id = int(model(ids).logits[0, -1].argmax())
            if next_id == tokenizer.eos_token_id:
                break
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode(ids[0].tolist()).strip()
'''

# wrong: never stops at the EOS (generates max_new_tokens tokens and drops the EOS ids from the text)
_ANS_NO_STOP = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must not be negative, got {max_new_tokens}")
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            next_id = int(model(ids).logits[0, -1].argmax())
            new_tokens.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode([t for t in new_tokens if t != tokenizer.eos_token_id]).strip()
'''

# wrong: the answer is not stripped
_ANS_NO_STRIP = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be >= 0")
    if max_new_tokens == 0:
        return ""
    encoded = tokenizer(format_prompt(question), add_special_tokens=False, return_tensors="pt")
    input_ids = encoded["input_ids"].to(model.device)
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    with torch.inference_mode():
        output = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False, num_beams=1,
                                max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=pad)
    new_tokens = output[0, input_ids.shape[1]:].tolist()
    if eos in new_tokens:
        new_tokens = new_tokens[:new_tokens.index(eos)]
    return tokenizer.decode(new_tokens)
'''

# wrong: off by one, generates up to max_new_tokens + 1 tokens
_ANS_ONE_TOO_MANY = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must not be negative, got {max_new_tokens}")
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens + 1):
            next_id = int(model(ids).logits[0, -1].argmax())
            if next_id == tokenizer.eos_token_id:
                break
            new_tokens.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode(new_tokens).strip()
'''

# wrong: stops at the EOS but keeps it in the decoded answer
_ANS_KEEPS_EOS = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if not max_new_tokens >= 0:
        raise ValueError("answer_question: max_new_tokens is negative")
    device = model.device
    ids = torch.as_tensor(tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"],
                          dtype=torch.long, device=device).unsqueeze(0)
    answer = []
    step = 0
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True)
        while step < max_new_tokens:
            token = int(torch.argmax(out.logits[0, -1]).item())
            answer.append(token)
            step += 1
            if token == tokenizer.eos_token_id:
                break
            if step < max_new_tokens:
                out = model(input_ids=torch.tensor([[token]], device=device), cache=out.cache,
                            use_cache=True)
    return tokenizer.decode(answer).strip()
'''

# wrong: samples from the softmax instead of taking the argmax
_ANS_SAMPLES = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must not be negative, got {max_new_tokens}")
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            probs = torch.softmax(model(ids).logits[0, -1].float(), dim=-1)
            next_id = int(torch.multinomial(probs, 1))
            if next_id == tokenizer.eos_token_id:
                break
            new_tokens.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode(new_tokens).strip()
'''

# wrong (input check): a negative max_new_tokens is not rejected (returns "")
_ANS_NO_CHECK = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    device = next(model.parameters()).device
    prompt = tokenizer(format_prompt(question), add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt], dtype=torch.long, device=device)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            next_id = int(model(ids).logits[0, -1].argmax())
            if next_id == tokenizer.eos_token_id:
                break
            new_tokens.append(next_id)
            ids = torch.cat([ids, torch.tensor([[next_id]], dtype=torch.long, device=device)], dim=1)
    return tokenizer.decode(new_tokens).strip()
'''

# wrong (input check): max_new_tokens == 0 is rejected as well
_ANS_CHECK_ZERO = '''
def answer_question(model, tokenizer, question: str, max_new_tokens: int) -> str:
    """The model's greedy answer to `question`: new tokens up to the first EOS, decoded and stripped."""
    if max_new_tokens <= 0:
        raise ValueError("max_new_tokens must be positive")
    encoded = tokenizer(format_prompt(question), add_special_tokens=False, return_tensors="pt")
    input_ids = encoded["input_ids"].to(model.device)
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    with torch.inference_mode():
        output = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False, num_beams=1,
                                max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=pad)
    new_tokens = output[0, input_ids.shape[1]:].tolist()
    if eos in new_tokens:
        new_tokens = new_tokens[:new_tokens.index(eos)]
    return tokenizer.decode(new_tokens).strip()
'''


#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    'fstring_lists_loop': {
        'format_prompt': _FP_FSTRING,
        'tokenize_example': _TOK_LISTS,
        'answer_question': _ANS_LOOP,
    },
    'concat_prealloc_generate': {
        'format_prompt': _FP_CONCAT,
        'tokenize_example': _TOK_PREALLOC,
        'answer_question': _ANS_GENERATE,
    },
    'join_cat_kvcache': {
        'format_prompt': _FP_JOIN,
        'tokenize_example': _TOK_CAT,
        'answer_question': _ANS_KV_CACHE,
    },
    # was WRONG ("raises ValueError for max_new_tokens == 0"): Task 3 leaves max_new_tokens = 0 open ("is never
    # tried: model.generate refuses it while a loop returns "", and either is fine"), and Task 4 tries only -1
    'concat_prealloc_rejects_zero': {
        'format_prompt': _FP_CONCAT,
        'tokenize_example': _TOK_PREALLOC,
        'answer_question': _ANS_CHECK_ZERO,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    'prompt_strips': {
        "cells": {'format_prompt': _FP_STRIPS, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_LOOP},
        "loses": ['test_format_prompt'],
        "bug": 'format_prompt strips the question and the answer',
    },
    'prompt_empty_answer_is_none': {
        "cells": {'format_prompt': _FP_FALSY, 'tokenize_example': _TOK_PREALLOC, 'answer_question': _ANS_GENERATE},
        "loses": ['test_format_prompt'],
        "bug": 'format_prompt tests `if not answer`, so an empty answer gives the question-time prompt',
    },
    'prompt_trailing_space': {
        "cells": {'format_prompt': _FP_TRAILING_SPACE, 'tokenize_example': _TOK_CAT, 'answer_question': _ANS_KV_CACHE},
        "loses": ['test_format_prompt'],
        "bug": "the question-time prompt ends with 'ANSWER: ' (a trailing space)",
    },
    'prompt_no_space_before_answer': {
        "cells": {'format_prompt': _FP_NO_SPACE, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_LOOP},
        "loses": ['test_format_prompt'],
        "bug": "no space between 'ANSWER:' and the answer",
    },
    'tok_no_eos': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_NO_EOS, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_inputs', 'test_tokenize_labels'],
        "bug": 'the EOS id is never appended after the answer',
    },
    'tok_left_padding': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LEFT_PAD, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_inputs', 'test_tokenize_labels'],
        "bug": 'pads on the left instead of the right',
    },
    'tok_mask_from_pad_id': {
        "cells": {'format_prompt': _FP_CONCAT, 'tokenize_example': _TOK_MASK_BY_ID, 'answer_question': _ANS_GENERATE},
        "loses": ['test_tokenize_inputs'],
        "bug": 'attention_mask = input_ids != pad_token_id: the EOS gets mask 0 when pad is EOS',
    },
    'tok_truncation_keeps_eos': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_KEEPS_EOS, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_inputs', 'test_tokenize_labels'],
        "bug": 'truncation cuts prompt+answer to max_length-1 and then appends the EOS',
    },
    'tok_int32': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_INT32, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_inputs'],
        "bug": 'tensors are int32 instead of torch.long',
    },
    'tok_no_max_length_check': {
        "cells": {'format_prompt': _FP_JOIN, 'tokenize_example': _TOK_NO_CHECK, 'answer_question': _ANS_KV_CACHE},
        "loses": ['input-checks'],
        "bug": 'max_length < 1 is not rejected (empty tensors come back)',
    },
    'tok_check_rejects_one': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_CHECK_OFF_BY_ONE, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_inputs'],
        "bug": 'raises ValueError for max_length <= 1: max_length == 1 is a stated edge of the computation, so the tokenize part loses',
    },
    'labels_masked_by_pad_id': {
        "cells": {'format_prompt': _FP_JOIN, 'tokenize_example': _TOK_LABELS_BY_PAD_ID, 'answer_question': _ANS_KV_CACHE},
        "loses": ['test_tokenize_labels'],
        "bug": 'labels[input_ids == pad_token_id] = -100 also masks the EOS when pad is EOS',
    },
    'labels_prompt_learned': {
        "cells": {'format_prompt': _FP_CONCAT, 'tokenize_example': _TOK_PROMPT_LEARNED, 'answer_question': _ANS_GENERATE},
        "loses": ['test_tokenize_labels'],
        "bug": 'the prompt keeps its ids as labels (only padding is -100)',
    },
    'labels_shifted_by_hand': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_PRESHIFTED, 'answer_question': _ANS_LOOP},
        "loses": ['test_tokenize_labels'],
        "bug": 'labels are shifted left by one by hand, though the model shifts them itself',
    },
    'labels_first_answer_token_masked': {
        "cells": {'format_prompt': _FP_CONCAT, 'tokenize_example': _TOK_BOUNDARY_OFF_BY_ONE, 'answer_question': _ANS_GENERATE},
        "loses": ['test_tokenize_labels'],
        "bug": 'off by one: the first answer token gets -100 like the prompt',
    },
    'answer_includes_prompt': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_WITH_PROMPT},
        "loses": ['test_answer_question'],
        "bug": 'decodes the whole sequence, prompt included',
    },
    'answer_never_stops': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_NO_STOP},
        "loses": ['test_answer_question'],
        "bug": 'does not stop at the EOS: keeps generating up to max_new_tokens',
    },
    'answer_not_stripped': {
        "cells": {'format_prompt': _FP_CONCAT, 'tokenize_example': _TOK_PREALLOC, 'answer_question': _ANS_NO_STRIP},
        "loses": ['test_answer_question'],
        "bug": 'the decoded answer is not stripped of surrounding whitespace',
    },
    'answer_one_token_too_many': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_ONE_TOO_MANY},
        "loses": ['test_answer_question'],
        "bug": 'off by one: up to max_new_tokens + 1 new tokens',
    },
    'answer_keeps_eos_text': {
        "cells": {'format_prompt': _FP_JOIN, 'tokenize_example': _TOK_CAT, 'answer_question': _ANS_KEEPS_EOS},
        "loses": ['test_answer_question'],
        "bug": 'stops at the EOS but decodes it into the answer',
    },
    'answer_samples': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_SAMPLES},
        "loses": ['test_answer_question'],
        "bug": 'samples with torch.multinomial instead of greedy argmax',
    },
    'tok_asserts_instead_of_raising': {
        "cells": {'format_prompt': _FP_CONCAT, 'tokenize_example': _TOK_ASSERTS, 'answer_question': _ANS_GENERATE},
        "loses": ['input-checks'],
        "bug": 'max_length < 1 trips an assert (AssertionError), not the ValueError the task asks for',
    },
    'answer_no_negative_check': {
        "cells": {'format_prompt': _FP_FSTRING, 'tokenize_example': _TOK_LISTS, 'answer_question': _ANS_NO_CHECK},
        "loses": ['input-checks'],
        "bug": "a negative max_new_tokens returns '' instead of raising ValueError",
    },
}
