// Every page of the portal, in one list: its address (after #), its name in the menu,
// and who may open it. The menu and the router are both made from this list, so a page
// is added by adding one entry here (and its component in src/pages).
import { Suspense, lazy, type ReactNode } from "react";
import { DocumentPage } from "../pages/DocumentPage";
import { RegisterPage } from "../pages/RegisterPage";
import { DecretationQueuePage } from "../pages/desk/DecretationQueuePage";
import { IntakeReportPage } from "../pages/desk/IntakeReportPage";
import { OverduePage } from "../pages/desk/OverduePage";
import { QuarantinePage } from "../pages/desk/QuarantinePage";
import { PaperLetterPage } from "../pages/desk/PaperLetterPage";
import { RegistryQueuePage } from "../pages/desk/RegistryQueuePage";
import { CasePage } from "../pages/cases/CasePage";
import { InboxPage } from "../pages/cases/InboxPage";
import { MetrykaPage } from "../pages/cases/MetrykaPage";
import { OpenCasePage } from "../pages/cases/OpenCasePage";
import { SpisPage } from "../pages/cases/SpisPage";
import { UsersPage } from "../pages/UsersPage";
import { ClassificationRulesPage } from "../pages/admin/ClassificationRulesPage";
import { DecretationModelPage } from "../pages/admin/DecretationModelPage";
import { ContractorsPage } from "../pages/dispatch/ContractorsPage";
import { LetterTemplatesPage } from "../pages/dispatch/LetterTemplatesPage";
import { JrwaPage } from "../pages/admin/jrwa/JrwaPage";
import { ApprovalsPage } from "../pages/outgoing/ApprovalsPage";
import { ApprovalPathsPage } from "../pages/admin/ApprovalPathsPage";
import { OutgoingRegisterPage } from "../pages/dispatch/OutgoingRegisterPage";
import { PostalBookPage } from "../pages/dispatch/PostalBookPage";
import { PostalTrayPage } from "../pages/dispatch/PostalTrayPage";
import { OutgoingPage } from "../pages/outgoing/OutgoingPage";
import type { Principal } from "../api/client";
import type { Role } from "./user";

// The charts (recharts) are a third of the portal's code and only the statistics draw them:
// that page is loaded when opened.
const StatisticsPage = lazy(() => import("../pages/statistics/StatisticsPage").then((m) => ({ default: m.StatisticsPage })));
const loading = <p>Wczytywanie…</p>;

export interface PageEntry {
  path: string;
  /** In the menu and as the document's title; pages without it are reached by links. */
  label?: string;
  /** Who may open it; empty: everyone logged in (the API still decides what they see). */
  roles: readonly Role[];
  /** Who else may open it, whatever their role (the education department: the city's figures). */
  also?: (user: Principal) => boolean;
  element: ReactNode;
}

export const PAGES: PageEntry[] = [
  { path: "rejestr", label: "Rejestr przesyłek wpływających", roles: ["registry_clerk", "manager"], element: <RegisterPage /> },
  { path: "pismo-papierowe", label: "Rejestracja pisma papierowego", roles: ["registry_clerk"], element: <PaperLetterPage /> },
  { path: "kancelaria", label: "Do klasyfikacji", roles: ["registry_clerk"], element: <RegistryQueuePage /> },
  { path: "rejestr-wychodzacy", label: "Rejestr przesyłek wychodzących", roles: ["registry_clerk", "manager", "archivist"],
    element: <OutgoingRegisterPage /> },
  { path: "do-nadania", label: "Do nadania", roles: ["registry_clerk"], element: <PostalTrayPage /> },
  { path: "ksiazka-nadawcza", label: "Książka nadawcza", roles: ["registry_clerk", "manager"], element: <PostalBookPage /> },
  { path: "raport-podawczy", label: "Raport podawczy", roles: ["registry_clerk", "manager"], element: <IntakeReportPage /> },
  { path: "kwarantanna", label: "Kwarantanna", roles: ["registry_clerk", "unit_admin", "archivist"], element: <QuarantinePage /> },
  { path: "dekretacja", label: "Do dekretacji", roles: ["manager"], element: <DecretationQueuePage /> },
  { path: "terminy", label: "Terminy spraw", roles: ["manager"], element: <OverduePage /> },
  { path: "dokumenty/:documentId", roles: [], element: <DocumentPage /> },
  { path: "zadania", label: "Moje zadania", roles: ["case_officer", "manager"], element: <InboxPage /> },
  { path: "sprawy/nowa", label: "Nowa sprawa", roles: ["case_officer", "manager"], element: <OpenCasePage /> },
  { path: "sprawy/:ref", label: "Sprawa", roles: [], element: <CasePage /> },
  { path: "sprawy/:ref/metryka", label: "Metryka sprawy", roles: [], element: <MetrykaPage /> },
  { path: "pisma/:outgoingId", label: "Pismo wychodzące", roles: [], element: <OutgoingPage /> },
  { path: "akceptacja", label: "Do akceptacji", roles: ["manager", "case_officer"], element: <ApprovalsPage /> },
  { path: "spis-spraw", label: "Spis spraw", roles: ["case_officer", "manager", "registry_clerk", "archivist"],
    element: <SpisPage /> },
  { path: "reguly-klasyfikacji", label: "Reguły klasyfikacji", roles: ["unit_admin"], element: <ClassificationRulesPage /> },
  { path: "wykaz-akt", label: "Wykaz akt (JRWA)", roles: ["unit_admin"], element: <JrwaPage /> },
  { path: "model-dekretacji", label: "Model dekretacji", roles: ["unit_admin"], element: <DecretationModelPage /> },
  { path: "sciezki-akceptacji", label: "Ścieżki akceptacji", roles: ["unit_admin"], element: <ApprovalPathsPage /> },
  { path: "uzytkownicy", label: "Użytkownicy jednostki", roles: ["unit_admin"], element: <UsersPage /> },
  { path: "kontrahenci", label: "Kontrahenci", roles: [], element: <ContractorsPage /> },
  { path: "szablony-pism", label: "Szablony pism", roles: ["unit_admin", "case_officer", "manager"],
    element: <LetterTemplatesPage /> },
  { path: "statystyki", label: "Statystyki", roles: ["manager"], also: (user) => user.sees_city === true,
    element: <Suspense fallback={loading}><StatisticsPage /></Suspense> },
];
