"""2_2_embedding_train_token_embedding: implementations written from the release notebook alone (independently written; the
author saw neither source/, solutions/ nor graders/). The correct ones differ in re.split vs a character loop vs re.findall,
a list of starts vs precomputed pairs vs a length formula, view vs flatten vs torch.cat, F.cross_entropy vs
nn.CrossEntropyLoss with a stacked float32 mean vs log_softmax + nll_loss, and float64 matmul vs a loop vs topk(k + 1)."""

ASSIGNMENT = '2_2_embedding_train_token_embedding'

_VOCAB_SPLIT = r'''def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    pieces = re.split(r"[\s" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]{2,}", p)]


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    unique = sorted(set(words))
    token2id = {w: i for i, w in enumerate(unique)}
    id2token = {i: w for w, i in token2id.items()}
    return token2id, id2token
'''

_VOCAB_CHARS = r'''_SEPARATOR_PUNCTUATION = set(string.punctuation)
_ASCII_LETTERS = set(string.ascii_letters)


def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    words, current = [], []

    def flush():
        piece = "".join(current)
        if len(piece) > 1 and all(ch in _ASCII_LETTERS for ch in piece):
            words.append(piece.lower())
        current.clear()

    for ch in text:
        if ch.isspace() or ch in _SEPARATOR_PUNCTUATION:
            flush()
        else:
            current.append(ch)
    flush()
    return words


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    token2id, id2token = {}, {}
    for word in sorted(dict.fromkeys(words)):
        token2id[word] = len(id2token)
        id2token[len(id2token)] = word
    return token2id, id2token
'''

_VOCAB_FINDALL = r'''_NOT_SEPARATOR = re.compile("[^\\s" + re.escape(string.punctuation) + "]+")


def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    out = []
    for piece in _NOT_SEPARATOR.findall(text):
        if len(piece) >= 2 and piece.isascii() and piece.isalpha():
            out.append(piece.lower())
    return out


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    id2token = dict(enumerate(sorted(set(words))))
    token2id = {word: i for i, word in id2token.items()}
    return token2id, id2token
'''

_DS_STARTS = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
        if stride < 1:
            raise ValueError(f"stride must be at least 1, got {stride}")
        self.context_window_size = context_window_size
        self.ids = torch.tensor([token2id[w] for w in words], dtype=torch.long)
        self.starts = list(range(0, len(words) - context_window_size, stride))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        s = self.starts[i]                       # IndexError past the end, as a sequence should
        n = self.context_window_size
        return self.ids[s:s + n].clone(), self.ids[s + 1:s + n + 1].clone()
'''

_DS_PAIRS = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1 or stride < 1:
            raise ValueError(f"context_window_size and stride must be >= 1, got {context_window_size} and {stride}")
        ids = [token2id[w] for w in words]
        n = context_window_size
        self.items = []
        s = 0
        while s + n < len(ids):                 # the word after the window, ids[s + n], must exist
            self.items.append((ids[s:s + n], ids[s + 1:s + n + 1]))
            s += stride

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        context, target = self.items[i]
        return torch.tensor(context, dtype=torch.long), torch.tensor(target, dtype=torch.long)
'''

_DS_FORMULA = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"a window needs at least one word, got context_window_size={context_window_size}")
        if stride < 1:
            raise ValueError(f"stride must be a positive number of words, got {stride}")
        self.n, self.stride = context_window_size, stride
        self.ids = torch.as_tensor([token2id[w] for w in words], dtype=torch.long)
        usable = len(words) - context_window_size        # starts s = 0, stride, ... below this
        self.length = -(-usable // stride) if usable > 0 else 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        i = int(i)
        if i < 0:
            i += self.length
        if not 0 <= i < self.length:
            raise IndexError(f"index {i} out of range for {self.length} windows")
        s = i * self.stride
        window = self.ids[s:s + self.n + 1]
        return window[:-1].clone(), window[1:].clone()
'''

_NLM_VIEW = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("context_window_size", context_window_size), ("hidden_dim", hidden_dim)]:
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(context_window_size * embedding_dim, hidden_dim)
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        vectors = self.embedding(context)                  # (B, n, embedding_dim)
        joined = vectors.view(vectors.shape[0], -1)        # (B, n * embedding_dim), word 0 first
        return self.output(torch.tanh(self.hidden(joined)))
'''

_NLM_FLATTEN = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        if min(vocab_size, embedding_dim, context_window_size, hidden_dim) < 1:
            raise ValueError("vocab_size, embedding_dim, context_window_size and hidden_dim must all be >= 1, got "
                             f"{(vocab_size, embedding_dim, context_window_size, hidden_dim)}")
        self.context_window_size = context_window_size
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(embedding_dim * context_window_size, hidden_dim)
        self.activation = nn.Tanh()                         # no parameters
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        x = torch.flatten(self.embedding(context), start_dim=1)
        x = self.activation(self.hidden(x))
        return self.output(x)
'''

_NLM_CAT = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be positive, got {vocab_size}")
        if embedding_dim < 1:
            raise ValueError(f"embedding_dim must be positive, got {embedding_dim}")
        if context_window_size < 1:
            raise ValueError(f"context_window_size must be positive, got {context_window_size}")
        if hidden_dim < 1:
            raise ValueError(f"hidden_dim must be positive, got {hidden_dim}")
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_dim)
        self.hidden = nn.Linear(in_features=context_window_size * embedding_dim, out_features=hidden_dim)
        self.output = nn.Linear(in_features=hidden_dim, out_features=vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        looked_up = self.embedding(context)
        concatenated = torch.cat([looked_up[:, j, :] for j in range(looked_up.shape[1])], dim=1)
        hidden = torch.tanh(self.hidden(concatenated))
        return self.output(hidden)
'''

_TE_SUM = r'''import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    model.train()
    total, batches = 0.0, 0
    for context, target in dataloader:
        context, target = context.to(device), target.to(device)
        logits = model(context)
        loss = F.cross_entropy(logits, target[:, -1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches if batches else float("nan")
'''

_TE_STACK = r'''def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    device = torch.device(device)
    criterion = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for batch in dataloader:
        context, target = (t.to(device) for t in batch)
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(context), target[:, -1])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    if not losses:
        return float("nan")
    return torch.stack(losses).mean().item()
'''

_TE_NLL = r'''import math

import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    model.train(True)
    batch_losses = []
    for context, target in dataloader:
        context = context.to(device=device, dtype=torch.long)
        label = target.to(device=device, dtype=torch.long).select(1, -1)    # the word after the window
        optimizer.zero_grad()
        log_probs = F.log_softmax(model(context), dim=-1)
        loss = F.nll_loss(log_probs, label)
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.detach().item())
    return math.fsum(batch_losses) / len(batch_losses) if batch_losses else 0.0
'''

_MS_MATMUL64 = r'''def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    with torch.no_grad():
        table = embeddings.detach().to(torch.float64)
        lengths = table.norm(dim=1, keepdim=True)
        unit = torch.where(lengths > 0, table / lengths.clamp_min(1e-300), torch.zeros_like(table))
        index = token2id[word]
        sims = unit @ unit[index]
        sims[index] = float("-inf")                       # leave the word itself out
        values, indices = torch.topk(sims, k)
    return [(id2token[int(i)], float(v)) for v, i in zip(values, indices)]
'''

_MS_LOOP = r'''import torch.nn.functional as F


def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    table = embeddings.detach().cpu().float()
    query = table[token2id[word]]
    scored = []
    for i in range(table.shape[0]):
        if i == token2id[word]:
            continue
        sim = F.cosine_similarity(query, table[i], dim=0).item()
        scored.append((sim, i))
    scored.sort(key=lambda item: -item[0])
    return [(id2token[i], sim) for sim, i in scored[:k]]
'''

_MS_TOPK_PLUS_ONE = r'''import torch.nn.functional as F


def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    target = token2id[word]
    with torch.no_grad():
        normalised = F.normalize(embeddings.detach(), p=2, dim=1)
        sims = normalised @ normalised[target]
        values, indices = sims.topk(min(k + 1, sims.numel()))
    result = [(id2token[i], v) for v, i in zip(values.tolist(), indices.tolist()) if i != target]
    return result[:k]
'''

_W_V_SINGLE = r'''def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    pieces = re.split(r"[\s" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]+", p)]


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    unique = sorted(set(words))
    token2id = {w: i for i, w in enumerate(unique)}
    id2token = {i: w for w, i in token2id.items()}
    return token2id, id2token
'''

_W_V_CASE = r'''_SEPARATOR_PUNCTUATION = set(string.punctuation)
_ASCII_LETTERS = set(string.ascii_letters)


def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    words, current = [], []

    def flush():
        piece = "".join(current)
        if len(piece) > 1 and all(ch in _ASCII_LETTERS for ch in piece):
            words.append(piece)
        current.clear()

    for ch in text:
        if ch.isspace() or ch in _SEPARATOR_PUNCTUATION:
            flush()
        else:
            current.append(ch)
    flush()
    return words


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    token2id, id2token = {}, {}
    for word in sorted(dict.fromkeys(words)):
        token2id[word] = len(id2token)
        id2token[len(id2token)] = word
    return token2id, id2token
'''

_W_V_UNICODE = r'''_NOT_SEPARATOR = re.compile("[^\\s" + re.escape(string.punctuation) + "]+")


def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    out = []
    for piece in _NOT_SEPARATOR.findall(text):
        if len(piece) >= 2 and piece.isalpha():
            out.append(piece.lower())
    return out


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    id2token = dict(enumerate(sorted(set(words))))
    token2id = {word: i for i, word in id2token.items()}
    return token2id, id2token
'''

_W_V_ORDER = r'''def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    pieces = re.split(r"[\s" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]{2,}", p)]


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    unique = list(dict.fromkeys(words))
    token2id = {w: i for i, w in enumerate(unique)}
    id2token = {i: w for w, i in token2id.items()}
    return token2id, id2token
'''

_W_V_ASCII_WS = r'''def tokenize_words(text: str) -> list[str]:
    """Lowercased pieces of ASCII letters, longer than one letter, between whitespace and punctuation."""
    pieces = re.split(r"[ \t\n" + re.escape(string.punctuation) + r"]+", text)
    return [p.lower() for p in pieces if re.fullmatch(r"[A-Za-z]{2,}", p)]


def build_vocab(words: list[str]) -> tuple[dict[str, int], dict[int, str]]:
    """token2id (sorted unique words numbered 0, 1, ...) and its inverse id2token."""
    unique = sorted(set(words))
    token2id = {w: i for i, w in enumerate(unique)}
    id2token = {i: w for w, i in token2id.items()}
    return token2id, id2token
'''

_W_D_INCLUSIVE = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
        if stride < 1:
            raise ValueError(f"stride must be at least 1, got {stride}")
        self.context_window_size = context_window_size
        self.ids = torch.tensor([token2id[w] for w in words], dtype=torch.long)
        self.starts = list(range(0, len(words) - context_window_size + 1, stride))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        s = self.starts[i]                       # IndexError past the end, as a sequence should
        n = self.context_window_size
        return self.ids[s:s + n].clone(), self.ids[s + 1:s + n + 1].clone()
'''

_W_D_TARGET1 = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1 or stride < 1:
            raise ValueError(f"context_window_size and stride must be >= 1, got {context_window_size} and {stride}")
        ids = [token2id[w] for w in words]
        n = context_window_size
        self.items = []
        s = 0
        while s + n < len(ids):                 # the word after the window, ids[s + n], must exist
            self.items.append((ids[s:s + n], ids[s + n:s + n + 1]))
            s += stride

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        context, target = self.items[i]
        return torch.tensor(context, dtype=torch.long), torch.tensor(target, dtype=torch.long)
'''

_W_D_STRIDE = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"context_window_size must be at least 1, got {context_window_size}")
        if stride < 1:
            raise ValueError(f"stride must be at least 1, got {stride}")
        self.context_window_size = context_window_size
        self.ids = torch.tensor([token2id[w] for w in words], dtype=torch.long)
        self.starts = list(range(0, len(words) - context_window_size))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        s = self.starts[i]                       # IndexError past the end, as a sequence should
        n = self.context_window_size
        return self.ids[s:s + n].clone(), self.ids[s + 1:s + n + 1].clone()
'''

_W_D_FLOOR = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"a window needs at least one word, got context_window_size={context_window_size}")
        if stride < 1:
            raise ValueError(f"stride must be a positive number of words, got {stride}")
        self.n, self.stride = context_window_size, stride
        self.ids = torch.as_tensor([token2id[w] for w in words], dtype=torch.long)
        usable = len(words) - context_window_size        # starts s = 0, stride, ... below this
        self.length = usable // stride if usable > 0 else 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        i = int(i)
        if i < 0:
            i += self.length
        if not 0 <= i < self.length:
            raise IndexError(f"index {i} out of range for {self.length} windows")
        s = i * self.stride
        window = self.ids[s:s + self.n + 1]
        return window[:-1].clone(), window[1:].clone()
'''

_W_N_MEAN = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("context_window_size", context_window_size), ("hidden_dim", hidden_dim)]:
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(embedding_dim, hidden_dim)
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        averaged = self.embedding(context).mean(dim=1)
        return self.output(torch.tanh(self.hidden(averaged)))
'''

_W_N_RELU = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        if min(vocab_size, embedding_dim, context_window_size, hidden_dim) < 1:
            raise ValueError("vocab_size, embedding_dim, context_window_size and hidden_dim must all be >= 1, got "
                             f"{(vocab_size, embedding_dim, context_window_size, hidden_dim)}")
        self.context_window_size = context_window_size
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(embedding_dim * context_window_size, hidden_dim)
        self.activation = nn.ReLU()                         # no parameters
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        x = torch.flatten(self.embedding(context), start_dim=1)
        x = self.activation(self.hidden(x))
        return self.output(x)
'''

_W_N_SOFTMAX = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be positive, got {vocab_size}")
        if embedding_dim < 1:
            raise ValueError(f"embedding_dim must be positive, got {embedding_dim}")
        if context_window_size < 1:
            raise ValueError(f"context_window_size must be positive, got {context_window_size}")
        if hidden_dim < 1:
            raise ValueError(f"hidden_dim must be positive, got {hidden_dim}")
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_dim)
        self.hidden = nn.Linear(in_features=context_window_size * embedding_dim, out_features=hidden_dim)
        self.output = nn.Linear(in_features=hidden_dim, out_features=vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        looked_up = self.embedding(context)
        concatenated = torch.cat([looked_up[:, j, :] for j in range(looked_up.shape[1])], dim=1)
        hidden = torch.tanh(self.hidden(concatenated))
        return torch.softmax(self.output(hidden), dim=-1)
'''

_W_N_TRANSPOSE = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("context_window_size", context_window_size), ("hidden_dim", hidden_dim)]:
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(context_window_size * embedding_dim, hidden_dim)
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        vectors = self.embedding(context)                  # (B, n, embedding_dim)
        joined = vectors.transpose(1, 2).reshape(vectors.shape[0], -1)        # (B, n * embedding_dim), word 0 first
        return self.output(torch.tanh(self.hidden(joined)))
'''

_W_T_COL0 = r'''import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    model.train()
    total, batches = 0.0, 0
    for context, target in dataloader:
        context, target = context.to(device), target.to(device)
        logits = model(context)
        loss = F.cross_entropy(logits, target[:, 0])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches if batches else float("nan")
'''

_W_T_NOZERO = r'''def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    device = torch.device(device)
    criterion = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for batch in dataloader:
        context, target = (t.to(device) for t in batch)
        loss = criterion(model(context), target[:, -1])
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    if not losses:
        return float("nan")
    return torch.stack(losses).mean().item()
'''

_W_T_SUM = r'''import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    model.train()
    total, batches = 0.0, 0
    for context, target in dataloader:
        context, target = context.to(device), target.to(device)
        logits = model(context)
        loss = F.cross_entropy(logits, target[:, -1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total
'''

_W_T_LAST = r'''import math

import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    model.train(True)
    batch_losses = []
    for context, target in dataloader:
        context = context.to(device=device, dtype=torch.long)
        label = target.to(device=device, dtype=torch.long).select(1, -1)    # the word after the window
        optimizer.zero_grad()
        log_probs = F.log_softmax(model(context), dim=-1)
        loss = F.nll_loss(log_probs, label)
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.detach().item())
    return batch_losses[-1]
'''

_W_T_NOTRAIN = r'''import torch.nn.functional as F


def train_epoch(model: nn.Module, dataloader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over dataloader, predicting target[:, -1]; returns the mean batch loss."""
    total, batches = 0.0, 0
    for context, target in dataloader:
        context, target = context.to(device), target.to(device)
        logits = model(context)
        loss = F.cross_entropy(logits, target[:, -1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    return total / batches if batches else float("nan")
'''

_W_S_SELF = r'''def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    with torch.no_grad():
        table = embeddings.detach().to(torch.float64)
        lengths = table.norm(dim=1, keepdim=True)
        unit = torch.where(lengths > 0, table / lengths.clamp_min(1e-300), torch.zeros_like(table))
        index = token2id[word]
        sims = unit @ unit[index]
        values, indices = torch.topk(sims, k)
    return [(id2token[int(i)], float(v)) for v, i in zip(values, indices)]
'''

_W_S_DOT = r'''import torch.nn.functional as F


def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    target = token2id[word]
    with torch.no_grad():
        normalised = embeddings.detach()
        sims = normalised @ normalised[target]
        values, indices = sims.topk(min(k + 1, sims.numel()))
    result = [(id2token[i], v) for v, i in zip(values.tolist(), indices.tolist()) if i != target]
    return result[:k]
'''

_W_S_ASC = r'''import torch.nn.functional as F


def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    table = embeddings.detach().cpu().float()
    query = table[token2id[word]]
    scored = []
    for i in range(table.shape[0]):
        if i == token2id[word]:
            continue
        sim = F.cosine_similarity(query, table[i], dim=0).item()
        scored.append((sim, i))
    scored.sort(key=lambda item: item[0])
    return [(id2token[i], sim) for sim, i in scored[:k]]
'''

_W_S_KM1 = r'''import torch.nn.functional as F


def most_similar(embeddings: Tensor, token2id: dict[str, int], id2token: dict[int, str], word: str,
                 k: int) -> list[tuple[str, float]]:
    """The k words nearest to word by cosine similarity, most similar first, word itself left out."""
    target = token2id[word]
    with torch.no_grad():
        normalised = F.normalize(embeddings.detach(), p=2, dim=1)
        sims = normalised @ normalised[target]
        values, indices = sims.topk(k)
    result = [(id2token[i], v) for v, i in zip(values.tolist(), indices.tolist()) if i != target]
    return result[:k]
'''

_W_IC_STRIDE = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        if context_window_size < 1:
            raise ValueError(f"a window needs at least one word, got context_window_size={context_window_size}")
        self.n, self.stride = context_window_size, stride
        self.ids = torch.as_tensor([token2id[w] for w in words], dtype=torch.long)
        usable = len(words) - context_window_size        # starts s = 0, stride, ... below this
        self.length = -(-usable // stride) if usable > 0 else 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        i = int(i)
        if i < 0:
            i += self.length
        if not 0 <= i < self.length:
            raise IndexError(f"index {i} out of range for {self.length} windows")
        s = i * self.stride
        window = self.ids[s:s + self.n + 1]
        return window[:-1].clone(), window[1:].clone()
'''

_W_IC_MODEL = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("embedding_dim", embedding_dim),
                            ("context_window_size", context_window_size), ("hidden_dim", hidden_dim)]:
            pass
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.hidden = nn.Linear(context_window_size * embedding_dim, hidden_dim)
        self.output = nn.Linear(hidden_dim, vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        vectors = self.embedding(context)                  # (B, n, embedding_dim)
        joined = vectors.view(vectors.shape[0], -1)        # (B, n * embedding_dim), word 0 first
        return self.output(torch.tanh(self.hidden(joined)))
'''

_W_IC_ASSERT = r'''class TokenDataset(Dataset):
    """Item i: (ids of words[s:s+n], ids of words[s+1:s+n+1]) for s = i * stride, s < len(words) - n."""

    def __init__(self, words: list[str], token2id: dict[str, int], context_window_size: int = 6, stride: int = 4):
        assert context_window_size >= 1 and stride >= 1, "bad sizes"
        ids = [token2id[w] for w in words]
        n = context_window_size
        self.items = []
        s = 0
        while s + n < len(ids):                 # the word after the window, ids[s + n], must exist
            self.items.append((ids[s:s + n], ids[s + 1:s + n + 1]))
            s += stride

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        context, target = self.items[i]
        return torch.tensor(context, dtype=torch.long), torch.tensor(target, dtype=torch.long)
'''

_W_IC_NOWINDOW = r'''class NeuralLanguageModel(nn.Module):
    """Embedding -> concatenate -> Linear + tanh -> Linear: next-word logits (B, vocab_size)."""

    def __init__(self, vocab_size: int, embedding_dim: int, context_window_size: int, hidden_dim: int = 256):
        super().__init__()
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be positive, got {vocab_size}")
        if embedding_dim < 1:
            raise ValueError(f"embedding_dim must be positive, got {embedding_dim}")
        if hidden_dim < 1:
            raise ValueError(f"hidden_dim must be positive, got {hidden_dim}")
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_dim)
        self.hidden = nn.Linear(in_features=context_window_size * embedding_dim, out_features=hidden_dim)
        self.output = nn.Linear(in_features=hidden_dim, out_features=vocab_size)

    def forward(self, context: Tensor) -> Tensor:
        """context: word ids (B, n) -> logits (B, vocab_size)."""
        looked_up = self.embedding(context)
        concatenated = torch.cat([looked_up[:, j, :] for j in range(looked_up.shape[1])], dim=1)
        hidden = torch.tanh(self.hidden(concatenated))
        return self.output(hidden)
'''

#: variant -> {solution cell grade_id: the whole code of that cell}; every one must get full marks
CORRECT = {
    'split_starts_view': {
        'tokenize_words': _VOCAB_SPLIT,
        'TokenDataset': _DS_STARTS,
        'NeuralLanguageModel': _NLM_VIEW,
        'train_epoch': _TE_SUM,
        'most_similar': _MS_MATMUL64,
    },
    'chars_pairs_flatten': {
        'tokenize_words': _VOCAB_CHARS,
        'TokenDataset': _DS_PAIRS,
        'NeuralLanguageModel': _NLM_FLATTEN,
        'train_epoch': _TE_STACK,
        'most_similar': _MS_LOOP,
    },
    'findall_formula_cat': {
        'tokenize_words': _VOCAB_FINDALL,
        'TokenDataset': _DS_FORMULA,
        'NeuralLanguageModel': _NLM_CAT,
        'train_epoch': _TE_NLL,
        'most_similar': _MS_TOPK_PLUS_ONE,
    },
}

#: variant -> a plausible student bug: every solution cell's code, and the graded parts it must cost
WRONG = {
    'words_keep_single_letters': {
        "cells": {'tokenize_words': _W_V_SINGLE, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_vocabulary'],
        "bug": 'keeps one-letter pieces',
    },
    'words_not_lowercased': {
        "cells": {'tokenize_words': _W_V_CASE, 'TokenDataset': _DS_PAIRS, 'NeuralLanguageModel': _NLM_FLATTEN, 'train_epoch': _TE_STACK, 'most_similar': _MS_LOOP},
        "loses": ['test_vocabulary'],
        "bug": 'forgets to lowercase',
    },
    'words_unicode_letters': {
        "cells": {'tokenize_words': _W_V_UNICODE, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _TE_NLL, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['test_vocabulary'],
        "bug": 'str.isalpha alone keeps non-ASCII words such as cafe with an accent',
    },
    'vocab_first_seen_order': {
        "cells": {'tokenize_words': _W_V_ORDER, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_vocabulary'],
        "bug": 'ids in the order of first appearance, not alphabetical',
    },
    'words_ascii_whitespace_only': {
        "cells": {'tokenize_words': _W_V_ASCII_WS, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_vocabulary'],
        "bug": 'splits only at space, tab and newline: \\r, \\f, \\v and Unicode spaces do not separate words',
    },
    'dataset_one_window_too_many': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _W_D_INCLUSIVE, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_TokenDataset'],
        "bug": 'starts s <= len(words) - n: the last window has no next word (short target)',
    },
    'dataset_target_next_word_only': {
        "cells": {'tokenize_words': _VOCAB_CHARS, 'TokenDataset': _W_D_TARGET1, 'NeuralLanguageModel': _NLM_FLATTEN, 'train_epoch': _TE_STACK, 'most_similar': _MS_LOOP},
        "loses": ['test_TokenDataset'],
        "bug": 'the target is only the next word (length 1), not the shifted window',
    },
    'dataset_stride_ignored': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _W_D_STRIDE, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_TokenDataset'],
        "bug": 'windows start at every word whatever the stride',
    },
    'dataset_length_floor': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _W_D_FLOOR, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _TE_NLL, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['test_TokenDataset'],
        "bug": 'the length rounds down (usable // stride) and loses the last window',
    },
    'model_mean_of_embeddings': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _W_N_MEAN, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_NeuralLanguageModel'],
        "bug": 'averages the context vectors instead of concatenating them',
    },
    'model_relu': {
        "cells": {'tokenize_words': _VOCAB_CHARS, 'TokenDataset': _DS_PAIRS, 'NeuralLanguageModel': _W_N_RELU, 'train_epoch': _TE_STACK, 'most_similar': _MS_LOOP},
        "loses": ['test_NeuralLanguageModel'],
        "bug": 'ReLU instead of tanh after the hidden layer',
    },
    'model_returns_softmax': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _W_N_SOFTMAX, 'train_epoch': _TE_NLL, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['test_NeuralLanguageModel'],
        "bug": 'returns softmax probabilities instead of logits',
    },
    'model_flatten_transposed': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _W_N_TRANSPOSE, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_NeuralLanguageModel'],
        "bug": 'concatenates dimension-major (transpose before flatten), so the weights copied in see a shuffled input',
    },
    'train_first_target_column': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _W_T_COL0, 'most_similar': _MS_MATMUL64},
        "loses": ['test_train_epoch'],
        "bug": 'trains on target[:, 0] (the word after the first context word) instead of the last column',
    },
    'train_no_zero_grad': {
        "cells": {'tokenize_words': _VOCAB_CHARS, 'TokenDataset': _DS_PAIRS, 'NeuralLanguageModel': _NLM_FLATTEN, 'train_epoch': _W_T_NOZERO, 'most_similar': _MS_LOOP},
        "loses": ['test_train_epoch'],
        "bug": 'never clears the gradients: they accumulate over the batches',
    },
    'train_sum_not_mean': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _W_T_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['test_train_epoch'],
        "bug": 'returns the sum of the batch losses instead of their mean',
    },
    'train_returns_last_loss': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _W_T_LAST, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['test_train_epoch'],
        "bug": "returns the last batch's loss, not the mean over the epoch",
    },
    'train_no_train_mode': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _W_T_NOTRAIN, 'most_similar': _MS_MATMUL64},
        "loses": ['test_train_epoch'],
        "bug": 'does not put the model in training mode (a model left in eval mode trains without its dropout)',
    },
    'similar_includes_word': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _NLM_VIEW, 'train_epoch': _TE_SUM, 'most_similar': _W_S_SELF},
        "loses": ['test_most_similar'],
        "bug": 'does not leave the word itself out (it comes first with similarity 1)',
    },
    'similar_dot_product': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _TE_NLL, 'most_similar': _W_S_DOT},
        "loses": ['test_most_similar'],
        "bug": 'ranks by raw dot products instead of cosines',
    },
    'similar_ascending': {
        "cells": {'tokenize_words': _VOCAB_CHARS, 'TokenDataset': _DS_PAIRS, 'NeuralLanguageModel': _NLM_FLATTEN, 'train_epoch': _TE_STACK, 'most_similar': _W_S_ASC},
        "loses": ['test_most_similar'],
        "bug": 'least similar first',
    },
    'similar_k_minus_one': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _TE_NLL, 'most_similar': _W_S_KM1},
        "loses": ['test_most_similar'],
        "bug": 'takes the top k including the word itself, then drops it: only k - 1 neighbours',
    },
    'check_stride_missing': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _W_IC_STRIDE, 'NeuralLanguageModel': _NLM_CAT, 'train_epoch': _TE_NLL, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['input-checks'],
        "bug": 'no stride check (stride 0 fails later with ZeroDivisionError)',
    },
    'check_model_sizes_missing': {
        "cells": {'tokenize_words': _VOCAB_SPLIT, 'TokenDataset': _DS_STARTS, 'NeuralLanguageModel': _W_IC_MODEL, 'train_epoch': _TE_SUM, 'most_similar': _MS_MATMUL64},
        "loses": ['input-checks'],
        "bug": 'NeuralLanguageModel checks no size (nn.Embedding(0, 4) builds silently)',
    },
    'check_assert_in_dataset': {
        "cells": {'tokenize_words': _VOCAB_CHARS, 'TokenDataset': _W_IC_ASSERT, 'NeuralLanguageModel': _NLM_FLATTEN, 'train_epoch': _TE_STACK, 'most_similar': _MS_LOOP},
        "loses": ['input-checks'],
        "bug": 'TokenDataset checks its sizes with assert (AssertionError, not ValueError)',
    },
    'check_window_only_vocab': {
        "cells": {'tokenize_words': _VOCAB_FINDALL, 'TokenDataset': _DS_FORMULA, 'NeuralLanguageModel': _W_IC_NOWINDOW, 'train_epoch': _TE_NLL, 'most_similar': _MS_TOPK_PLUS_ONE},
        "loses": ['input-checks'],
        "bug": 'NeuralLanguageModel forgets the context_window_size check',
    },
}
