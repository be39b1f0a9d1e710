"""The chat format of every clearlm tokenizer: ChatML, with the assistant's turns marked for training.

    <|im_start|>system\\nYou are helpful.<|im_end|>\\n
    <|im_start|>user\\nHi<|im_end|>\\n
    <|im_start|>assistant\\nHello!<|im_end|>\\n

`{% generation %}` wraps what the assistant says, so transformers'
`apply_chat_template(..., return_assistant_tokens_mask=True)` marks exactly the tokens a tuned model
must learn to produce: the content *and* its closing `<|im_end|>` (without it a model never learns to
stop). The role header and the newline after `<|im_end|>` are the prompt's, not the model's.
"""

from __future__ import annotations

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"

CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['role'] == 'assistant' -%}"
    "{%- generation -%}{{- message['content'] + '<|im_end|>' -}}{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- else -%}"
    "{{- message['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)
