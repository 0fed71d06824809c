"""Chat UI (Gradio) and answer rendering."""
