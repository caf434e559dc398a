import { javascript } from '@codemirror/lang-javascript'
import { json } from '@codemirror/lang-json'
import { lintGutter, setDiagnostics } from '@codemirror/lint'
import { Compartment, EditorState } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import type { CellForm } from './cell/parse.js'
import type { SourceError } from './cell/sourceError.js'

/** The cell editor: CodeMirror with the form's language and the parse error as a diagnostic. */
export interface CellEditor {
  readonly view: EditorView
  text(): string
  setText(text: string, form: CellForm): void
  showError(error: SourceError | undefined): void
}

const languageOf = (form: CellForm) => (form === 'dsl' ? javascript() : json())

export function createEditor(parent: HTMLElement, onChange: (text: string) => void): CellEditor {
  const language = new Compartment()
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        basicSetup,
        language.of(languageOf('dsl')),
        lintGutter(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString())
        }),
      ],
    }),
  })
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text, form) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: language.reconfigure(languageOf(form)),
      })
    },
    showError(error) {
      const length = view.state.doc.length
      const diagnostics = error
        ? [
            {
              from: Math.min(error.from, length),
              to: Math.min(Math.max(error.to, error.from + 1), length),
              severity: 'error' as const,
              message: error.message,
            },
          ]
        : []
      view.dispatch(setDiagnostics(view.state, diagnostics))
      // Bring an error that is off screen into view (no scroll when it is already visible).
      if (diagnostics[0])
        view.dispatch({ effects: EditorView.scrollIntoView(diagnostics[0].from, { y: 'nearest' }) })
    },
  }
}
