// Which editor "Insert into editor" writes to: the one the panel was opened from, else the text
// editor used last. Focusing the panel leaves no editor active, so the last one is remembered.
import * as vscode from 'vscode';
import { DOCUMENT_SCHEME } from '../base/documents';
import { cap } from '../../shared/text';

export interface EditorSpot {
  uri: vscode.Uri;
  selection: vscode.Selection;
}

export class InsertTarget {
  private openedFrom?: EditorSpot;
  private lastEditor?: EditorSpot;

  /** The panel is opened from `editor` (a usable one); from no editor, an earlier target stays. */
  openFrom(editor: vscode.TextEditor | undefined): void {
    if (editor) this.openedFrom = spotOf(editor);
    else if (!this.openedFrom) this.openedFrom = this.lastEditor;
  }

  /** Follows the active editor and its selection, so an insert lands where the cursor is now. */
  remember(editor: vscode.TextEditor | undefined): void {
    const usable = usableEditor(editor);
    if (!usable) return;
    this.lastEditor = spotOf(usable);
    if (this.openedFrom && this.openedFrom.uri.toString() === usable.document.uri.toString()) this.openedFrom = this.lastEditor;
  }

  current(): EditorSpot | undefined {
    return this.openedFrom ?? this.lastEditor;
  }

  /** `notes.md:12`, for the Insert button's tooltip; null without an editor. */
  label(): string | null {
    const target = this.current();
    if (!target) return null;
    return cap(`${baseName(target.uri)}:${target.selection.active.line + 1}`, 300);
  }
}

/** A text editor results can go to (not the output panel, not our own read-only documents). */
export function usableEditor(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  if (!editor) return undefined;
  const scheme = editor.document.uri.scheme;
  return scheme === DOCUMENT_SCHEME || scheme === 'output' || scheme === 'vscode-settings' ? undefined : editor;
}

export function baseName(uri: vscode.Uri): string {
  const path = uri.path;
  return path.slice(path.lastIndexOf('/') + 1) || uri.toString();
}

function spotOf(editor: vscode.TextEditor): EditorSpot {
  return { uri: editor.document.uri, selection: editor.selection };
}
